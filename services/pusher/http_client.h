#ifndef MLAB_SERVICES_PUSHER_HTTP_CLIENT_H_
#define MLAB_SERVICES_PUSHER_HTTP_CLIENT_H_

#include <atomic>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

typedef void CURL;

namespace mlab::pusher {

struct HttpRequest {
  std::string method = "GET";  // GET, HEAD, POST, PUT
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  absl::string_view body;            // Not copied: must outlive Do().
  absl::Duration timeout = absl::Minutes(10);
  const std::atomic<bool>* cancel = nullptr;
  // AWS Signature V4 by libcurl: "aws:amz:<region>:s3" with user_password "key:secret".
  std::string aws_sigv4;
  std::string user_password;
};

struct HttpResponse {
  long status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // Names lower-cased.

  // The first header with this (lower-case) name, or "".
  std::string Header(absl::string_view name) const;
};

// A libcurl easy handle kept across requests so connections are reused. One per thread.
// Transport failures come back as Unavailable (DeadlineExceeded on timeout, Cancelled when
// `cancel` was set); any HTTP status is a response.
class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  absl::StatusOr<HttpResponse> Do(const HttpRequest& request);

 private:
  CURL* curl_;
};

// Percent-encodes everything but unreserved characters (RFC 3986), e.g. a GCS object name in a
// URL path or query.
std::string UrlEncode(absl::string_view s);

// Maps an HTTP status to a retry-friendly Status: 2xx OK, 404 NotFound, 412 AlreadyExists (a
// create-only precondition failed), 401/403 PermissionDenied, 429 and 5xx Unavailable, other
// 4xx InvalidArgument. The message carries the method, URL and the start of the body.
absl::Status StatusFromHttp(const HttpRequest& request, const HttpResponse& response);

}  // namespace mlab::pusher

#endif  // MLAB_SERVICES_PUSHER_HTTP_CLIENT_H_
