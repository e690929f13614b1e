// Blocking HTTP(S) requests with libcurl, for dataset downloads and Google OAuth2 tokens.
#ifndef MLAB_SERVICES_UUID_ANNOTATOR_HTTP_CLIENT_H_
#define MLAB_SERVICES_UUID_ANNOTATOR_HTTP_CLIENT_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace mlab::uuid_annotator {

struct HttpResponse {
  long status = 0;
  std::string body;
  // Lower-cased header names of the final response (after redirects).
  std::vector<std::pair<std::string, std::string>> headers;

  // The first value of `name` (lower case), or "".
  std::string Header(absl::string_view name) const;
};

struct HttpRequest {
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  // POSTs this body when set (form-encoded unless a Content-Type header says otherwise).
  bool post = false;
  std::string body;
  absl::Duration timeout = absl::Minutes(1);
  // Bodies beyond this fail the request (a broken or hostile source).
  size_t max_body_bytes = size_t{2} << 30;
};

// Any HTTP status is a response; transport errors (refused, timeout, TLS) are UNAVAILABLE.
// Only http and https, also across redirects (at most 5).
absl::StatusOr<HttpResponse> HttpFetch(const HttpRequest& request);

// Percent-encodes everything but unreserved characters (RFC 3986), e.g. a GCS object name.
std::string UrlEncode(absl::string_view text);

}  // namespace mlab::uuid_annotator

#endif  // MLAB_SERVICES_UUID_ANNOTATOR_HTTP_CLIENT_H_
