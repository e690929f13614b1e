#ifndef MLAB_SERVICES_PUSHER_UPLOADER_FACTORY_H_
#define MLAB_SERVICES_PUSHER_UPLOADER_FACTORY_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "services/pusher/uploader.h"

namespace mlab::pusher {

struct BackendOptions {
  // -bucket: "gs://name", "s3://name", "file:///dir" or a bare name (GCS, as upstream).
  std::string bucket;
  absl::Duration upload_timeout = absl::Hours(1);
  // GCS
  std::string gcs_endpoint;          // "" = STORAGE_EMULATOR_HOST or storage.googleapis.com
  std::string gcs_credentials_file;  // "" = GOOGLE_APPLICATION_CREDENTIALS or metadata server
  std::string gce_metadata_host = "metadata.google.internal";
  int64_t gcs_chunk_size = 16 << 20;
  // S3 (keys from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN)
  std::string s3_endpoint;  // "" = https://s3.<region>.amazonaws.com
  std::string s3_region = "us-east-1";
  bool s3_path_style = false;
};

// Makes one Uploader per call (one per uploading thread), sharing credentials.
using UploaderFactory = std::function<std::unique_ptr<Uploader>()>;

// Checks the options (and loads GCS credentials) once; fails on an unusable configuration.
absl::StatusOr<UploaderFactory> MakeUploaderFactory(const BackendOptions& options);

}  // namespace mlab::pusher

#endif  // MLAB_SERVICES_PUSHER_UPLOADER_FACTORY_H_
