#include "services/pusher/uploader_factory.h"

#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "glog/logging.h"
#include "lib/spool/spool_dir.h"
#include "services/pusher/gcs_auth.h"
#include "services/pusher/gcs_uploader.h"
#include "services/pusher/local_uploader.h"
#include "services/pusher/s3_uploader.h"

namespace mlab::pusher {
namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

std::string WithScheme(std::string host) {
  if (absl::StartsWith(host, "http://") || absl::StartsWith(host, "https://")) return host;
  return absl::StrCat("http://", host);
}

}  // namespace

absl::StatusOr<UploaderFactory> MakeUploaderFactory(const BackendOptions& options) {
  absl::string_view bucket = options.bucket;
  if (absl::ConsumePrefix(&bucket, "file://")) {
    std::string root(bucket);
    if (root.empty()) return absl::InvalidArgumentError("-bucket=file:// needs a directory");
    while (root.size() > 1 && root.back() == '/') root.pop_back();
    if (absl::Status s = spool::MakeDirs(root); !s.ok()) return s;
    LocalUploader::CleanTemporaries(root, 3600);
    return UploaderFactory([root] { return std::make_unique<LocalUploader>(root); });
  }
  if (absl::ConsumePrefix(&bucket, "s3://")) {
    S3Uploader::Options s3;
    s3.bucket = std::string(absl::StripSuffix(bucket, "/"));
    s3.region = options.s3_region;
    s3.endpoint = options.s3_endpoint.empty()
                      ? absl::StrCat("https://s3.", s3.region, ".amazonaws.com")
                      : std::string(absl::StripSuffix(options.s3_endpoint, "/"));
    s3.path_style = options.s3_path_style;
    s3.access_key_id = Env("AWS_ACCESS_KEY_ID");
    s3.secret_access_key = Env("AWS_SECRET_ACCESS_KEY");
    s3.session_token = Env("AWS_SESSION_TOKEN");
    s3.timeout = options.upload_timeout;
    if (s3.bucket.empty()) return absl::InvalidArgumentError("-bucket=s3:// needs a bucket name");
    if (s3.access_key_id.empty() || s3.secret_access_key.empty()) {
      return absl::InvalidArgumentError(
          "s3:// needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment");
    }
    return UploaderFactory([s3] { return std::make_unique<S3Uploader>(s3); });
  }
  absl::ConsumePrefix(&bucket, "gs://");
  GcsUploader::Options gcs;
  gcs.bucket = std::string(absl::StripSuffix(bucket, "/"));
  if (gcs.bucket.empty()) return absl::InvalidArgumentError("-bucket needs a bucket name");
  gcs.chunk_size = options.gcs_chunk_size;
  gcs.timeout = options.upload_timeout;
  if (gcs.chunk_size > 0 && gcs.chunk_size % (256 << 10) != 0) {
    return absl::InvalidArgumentError("-gcs_chunk_size must be a multiple of 262144 bytes");
  }
  std::string emulator = Env("STORAGE_EMULATOR_HOST");
  bool is_emulator = !options.gcs_endpoint.empty() || !emulator.empty();
  if (!options.gcs_endpoint.empty()) {
    gcs.endpoint = WithScheme(options.gcs_endpoint);
  } else if (!emulator.empty()) {
    gcs.endpoint = WithScheme(emulator);
  }
  while (absl::EndsWith(gcs.endpoint, "/")) gcs.endpoint.pop_back();
  std::string credentials = options.gcs_credentials_file.empty()
                                ? Env("GOOGLE_APPLICATION_CREDENTIALS")
                                : options.gcs_credentials_file;
  if (!credentials.empty()) {
    absl::StatusOr<std::unique_ptr<ServiceAccountTokenSource>> source =
        ServiceAccountTokenSource::FromFile(credentials);
    if (!source.ok()) return source.status();
    gcs.tokens = std::move(*source);
  } else if (!is_emulator) {
    // Neither a key nor an emulator: the metadata server of the GCE/GKE node.
    gcs.tokens = std::make_shared<MetadataTokenSource>(options.gce_metadata_host);
  }
  LOG(INFO) << "GCS backend gs://" << gcs.bucket << " at " << gcs.endpoint << " with "
            << (!credentials.empty()    ? "service-account key " + credentials
                : gcs.tokens != nullptr ? "metadata-server credentials"
                                        : "no credentials (emulator)");
  return UploaderFactory([gcs] { return std::make_unique<GcsUploader>(gcs); });
}

}  // namespace mlab::pusher
