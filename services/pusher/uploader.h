#ifndef MLAB_SERVICES_PUSHER_UPLOADER_H_
#define MLAB_SERVICES_PUSHER_UPLOADER_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mlab::pusher {

struct UploadRequest {
  std::string object_name;
  absl::string_view body;
  std::string md5;  // Raw 16 bytes of body's MD5.
  uint32_t crc32c = 0;
  // Set by another thread to abandon the attempt (shutdown); the call then returns Cancelled.
  const std::atomic<bool>* cancel = nullptr;
};

struct ObjectInfo {
  int64_t size = -1;
  std::string md5;  // Raw 16 bytes, or empty when the backend does not say.
};

// A storage backend. Upload is create-only: if the object exists it fails with AlreadyExists
// and stores nothing, so a retried upload can never make a second object under the same name;
// the caller then compares Stat()'s checksum with its own. Success means the backend confirmed
// the object with the checksums given. One instance per thread.
class Uploader {
 public:
  virtual ~Uploader() = default;

  virtual absl::Status Upload(const UploadRequest& request) = 0;
  // NotFound if there is no such object.
  virtual absl::StatusOr<ObjectInfo> Stat(const std::string& object_name) = 0;
  // "gs://bucket", "s3://bucket", "file:///path": for logs.
  virtual std::string Describe() const = 0;
};

}  // namespace mlab::pusher

#endif  // MLAB_SERVICES_PUSHER_UPLOADER_H_
