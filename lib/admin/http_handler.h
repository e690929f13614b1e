#ifndef MLAB_LIB_ADMIN_HTTP_HANDLER_H_
#define MLAB_LIB_ADMIN_HTTP_HANDLER_H_

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace mlab::admin {

// One HTTP request as an admin endpoint sees it (no Beast types, so handlers stay light).
struct HttpRequest {
  std::string method;  // "GET", "HEAD", "POST", ...
  std::string target;  // As sent: "/debug/x?a=1".
  std::string path;    // Target before '?': "/debug/x".
  std::string query;   // Target after '?', undecoded: "a=1".
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // Extra headers, e.g. Allow.
};

// Runs on the server's I/O thread: keep it quick and non-blocking, or slow every other endpoint.
using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

}  // namespace mlab::admin

#endif  // MLAB_LIB_ADMIN_HTTP_HANDLER_H_
