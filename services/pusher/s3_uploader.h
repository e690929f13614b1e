#ifndef MLAB_SERVICES_PUSHER_S3_UPLOADER_H_
#define MLAB_SERVICES_PUSHER_S3_UPLOADER_H_

#include <string>

#include "services/pusher/http_client.h"
#include "services/pusher/uploader.h"

namespace mlab::pusher {

// An S3-compatible bucket: one PUT per archive, signed with AWS Signature V4 by libcurl,
// carrying Content-MD5 (the server verifies it), the payload SHA-256 and If-None-Match: *
// (create-only where the server supports conditional writes); the returned ETag must be the
// body's MD5. Servers that ignore If-None-Match (older S3-compatibles) are covered by the
// caller's Stat before a retry: an object under our name with our MD5 is our own upload.
class S3Uploader : public Uploader {
 public:
  struct Options {
    std::string endpoint = "https://s3.amazonaws.com";
    std::string bucket;
    std::string region = "us-east-1";
    bool path_style = false;  // endpoint/bucket/key instead of bucket.endpoint/key
    std::string access_key_id;
    std::string secret_access_key;
    std::string session_token;
    absl::Duration timeout = absl::Hours(1);
  };

  explicit S3Uploader(Options options);

  absl::Status Upload(const UploadRequest& request) override;
  absl::StatusOr<ObjectInfo> Stat(const std::string& object_name) override;
  std::string Describe() const override { return "s3://" + options_.bucket; }

  std::string ObjectUrl(const std::string& object_name) const;

 private:
  void Sign(HttpRequest& request, absl::string_view payload_sha256) const;

  const Options options_;
  HttpClient http_;
};

}  // namespace mlab::pusher

#endif  // MLAB_SERVICES_PUSHER_S3_UPLOADER_H_
