#include "services/uuid-annotator/gcs_source.h"

#include <openssl/evp.h>
#include <rapidjson/document.h>

#include <cstdlib>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/uuid-annotator/annotator_metrics.h"
#include "services/uuid-annotator/archive_reader.h"
#include "services/uuid-annotator/http_client.h"

namespace mlab::uuid_annotator {
namespace {

std::string Md5(absl::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_md5(), nullptr);
  return std::string(reinterpret_cast<char*>(digest), length);
}

std::string Endpoint() {
  const char* emulator = getenv("STORAGE_EMULATOR_HOST");
  if (emulator == nullptr || *emulator == '\0') return "https://storage.googleapis.com";
  std::string host = emulator;
  while (!host.empty() && host.back() == '/') host.pop_back();
  return absl::StrContains(host, "://") ? host : absl::StrCat("http://", host);
}

absl::Status HttpError(const HttpResponse& response, absl::string_view what) {
  const std::string message = absl::StrCat(what, ": HTTP status ", response.status);
  if (response.status == 404) return absl::NotFoundError(message);
  if (response.status == 401 || response.status == 403) {
    return absl::PermissionDeniedError(message);
  }
  return absl::UnavailableError(message);
}

}  // namespace

absl::StatusOr<std::unique_ptr<DataSource>> GcsSource::FromUrl(absl::string_view url) {
  absl::string_view rest = url.substr(5);  // After "gs://".
  const size_t slash = rest.find('/');
  if (slash == absl::string_view::npos || slash == 0 || slash + 1 == rest.size()) {
    return absl::InvalidArgumentError(absl::StrCat("bad gs:// URL (no bucket or object): ", url));
  }
  return std::make_unique<GcsSource>(std::string(url), std::string(rest.substr(0, slash)),
                                     std::string(rest.substr(slash + 1)), Endpoint(),
                                     GoogleCredentials::Default());
}

GcsSource::GcsSource(std::string url, std::string bucket, std::string object, std::string endpoint,
                     std::shared_ptr<GoogleCredentials> credentials)
    : url_(std::move(url)),
      bucket_(std::move(bucket)),
      object_(std::move(object)),
      endpoint_(std::move(endpoint)),
      credentials_(std::move(credentials)) {}

absl::StatusOr<std::optional<DataSource::Content>> GcsSource::Fetch(
    absl::string_view known_version) {
  absl::StatusOr<std::string> auth = credentials_->AuthorizationHeader();
  if (!auth.ok()) return auth.status();
  const std::string object_url =
      absl::StrCat(endpoint_, "/storage/v1/b/", UrlEncode(bucket_), "/o/", UrlEncode(object_));

  HttpRequest attrs;
  attrs.url = absl::StrCat(object_url, "?fields=md5Hash,generation");
  attrs.timeout = absl::Seconds(30);
  attrs.max_body_bytes = 1 << 20;
  if (!auth->empty()) attrs.headers.push_back(*auth);
  absl::StatusOr<HttpResponse> meta = HttpFetch(attrs);
  if (!meta.ok()) return meta.status();
  if (meta->status != 200) return HttpError(*meta, absl::StrCat("metadata of ", url_));
  rapidjson::Document doc;
  doc.Parse(meta->body.data(), meta->body.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("md5Hash") ||
      !doc["md5Hash"].IsString()) {
    return absl::UnavailableError(absl::StrCat("metadata of ", url_, " has no md5Hash"));
  }
  const std::string md5_b64 = doc["md5Hash"].GetString();
  std::string generation;
  if (doc.HasMember("generation") && doc["generation"].IsString()) {
    generation = doc["generation"].GetString();
  }
  const std::string version = absl::StrCat("md5:", md5_b64);
  if (version == known_version) return std::nullopt;

  HttpRequest get;
  get.url = absl::StrCat(object_url, "?alt=media",
                         generation.empty() ? "" : absl::StrCat("&generation=", generation));
  get.timeout = absl::Minutes(10);
  get.max_body_bytes = kMaxDatasetBytes;
  if (!auth->empty()) get.headers.push_back(*auth);
  absl::StatusOr<HttpResponse> data = HttpFetch(get);
  if (!data.ok()) return data.status();
  if (data->status != 200) return HttpError(*data, absl::StrCat("download of ", url_));
  std::string md5;
  if (!absl::Base64Unescape(md5_b64, &md5) || Md5(data->body) != md5) {
    return absl::DataLossError(absl::StrCat("download of ", url_, " does not match its MD5"));
  }
  // Upstream's gauge: 1 for the hash just loaded, 0 for the one before.
  const std::string hex = absl::BytesToHexString(md5);
  if (!loaded_md5_hex_.empty() && loaded_md5_hex_ != hex) {
    metrics::GcsHashLoaded().WithLabels({loaded_md5_hex_}).Set(0);
  }
  metrics::GcsHashLoaded().WithLabels({hex}).Set(1);
  loaded_md5_hex_ = hex;
  return Content{std::move(data->body), version};
}

}  // namespace mlab::uuid_annotator
