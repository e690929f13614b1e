#ifndef MLAB_SERVICES_NDT_SERVER_STATIC_FILES_H_
#define MLAB_SERVICES_NDT_SERVER_STATIC_FILES_H_

#include <string>

#include "absl/strings/string_view.h"

namespace mlab::ndt7 {

struct StaticResponse {
  int status = 200;
  std::string content_type;
  std::string body;
  std::string location;  // for redirects
};

// Serves -htmldir at "/" like Go's http.FileServer, minus directory listings: a directory
// serves its index.html, "/x/index.html" redirects to "/x/", nothing outside the root is
// reachable.
class StaticFiles {
 public:
  explicit StaticFiles(std::string root) : root_(std::move(root)) {}

  StaticResponse Serve(absl::string_view method, absl::string_view path) const;

 private:
  std::string root_;
};

}  // namespace mlab::ndt7

#endif  // MLAB_SERVICES_NDT_SERVER_STATIC_FILES_H_
