// Datasets from Google Cloud Storage (gs://bucket/object), as upstream's content.Provider reads
// them for M-Lab's manifests: downloaded only when the object's MD5 changed, with the
// uuid_annotator_gcs_hash_loaded{md5} gauge upstream sets.
#ifndef MLAB_SERVICES_UUID_ANNOTATOR_GCS_SOURCE_H_
#define MLAB_SERVICES_UUID_ANNOTATOR_GCS_SOURCE_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/uuid-annotator/data_source.h"
#include "services/uuid-annotator/google_credentials.h"

namespace mlab::uuid_annotator {

class GcsSource : public DataSource {
 public:
  // gs://bucket/object through the JSON API at https://storage.googleapis.com, or at
  // $STORAGE_EMULATOR_HOST ("host:port" or a URL) as Google's client libraries do, with
  // GoogleCredentials::Default().
  static absl::StatusOr<std::unique_ptr<DataSource>> FromUrl(absl::string_view url);

  GcsSource(std::string url, std::string bucket, std::string object, std::string endpoint,
            std::shared_ptr<GoogleCredentials> credentials);

  // Reads the object's metadata; unchanged MD5 -> nullopt; else downloads that generation and
  // checks its MD5.
  absl::StatusOr<std::optional<Content>> Fetch(absl::string_view known_version) override;
  const std::string& url() const override { return url_; }

 private:
  const std::string url_;
  const std::string bucket_;
  const std::string object_;
  const std::string endpoint_;
  const std::shared_ptr<GoogleCredentials> credentials_;
  std::string loaded_md5_hex_;  // For the gauge; Fetch calls are serialised by the loader.
};

}  // namespace mlab::uuid_annotator

#endif  // MLAB_SERVICES_UUID_ANNOTATOR_GCS_SOURCE_H_
