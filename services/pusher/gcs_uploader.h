#ifndef MLAB_SERVICES_PUSHER_GCS_UPLOADER_H_
#define MLAB_SERVICES_PUSHER_GCS_UPLOADER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "services/pusher/gcs_auth.h"
#include "services/pusher/http_client.h"
#include "services/pusher/uploader.h"

namespace mlab::pusher {

// Google Cloud Storage through the JSON API. Objects up to `chunk_size` go in one multipart
// request; larger ones through a resumable session sent in `chunk_size` pieces, which a retry
// continues from the last byte GCS persisted. Every upload carries ifGenerationMatch=0
// (create-only) and the MD5 and CRC32C, which GCS verifies; the stored object's checksums are
// compared again with ours before success is reported.
class GcsUploader : public Uploader {
 public:
  struct Options {
    std::string endpoint = "https://storage.googleapis.com";
    std::string bucket;
    int64_t chunk_size = 16 << 20;  // Go's default ChunkSize; a multiple of 256 KiB.
    absl::Duration timeout = absl::Hours(1);
    std::shared_ptr<TokenSource> tokens;  // nullptr: anonymous (emulators).
  };

  explicit GcsUploader(Options options);

  absl::Status Upload(const UploadRequest& request) override;
  absl::StatusOr<ObjectInfo> Stat(const std::string& object_name) override;
  std::string Describe() const override { return "gs://" + options_.bucket; }

 private:
  absl::Status Multipart(const UploadRequest& request);
  absl::Status Resumable(const UploadRequest& request);
  // Sends the rest of the body to a session from `offset`; returns the final response status.
  absl::Status SendChunks(const UploadRequest& request, const std::string& session, int64_t offset);
  // Asks a session how many bytes it holds: -1 if it is gone, total if it already finished.
  absl::StatusOr<int64_t> QuerySession(const UploadRequest& request, const std::string& session);
  absl::Status CheckStored(const UploadRequest& request, absl::string_view json);
  absl::StatusOr<HttpResponse> Send(HttpRequest& request);
  std::string MetadataJson(const UploadRequest& request) const;

  const Options options_;
  HttpClient http_;
  // Open resumable sessions by object name, so a retry resumes instead of starting over.
  std::map<std::string, std::string> sessions_;
};

// Parses a GCS object resource: size, md5Hash (base64) and crc32c (base64, big-endian).
absl::StatusOr<ObjectInfo> ParseGcsObject(absl::string_view json, uint32_t* crc32c = nullptr,
                                          bool* has_crc32c = nullptr);

}  // namespace mlab::pusher

#endif  // MLAB_SERVICES_PUSHER_GCS_UPLOADER_H_
