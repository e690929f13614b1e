#include "services/ndt-server/static_files.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/url/escape.h"

namespace mlab::ndt7 {
namespace {

std::string ContentType(absl::string_view path) {
  static constexpr std::pair<const char*, const char*> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".png", "image/png"},
      {".svg", "image/svg+xml"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
  };
  for (const auto& [ext, type] : kTypes) {
    if (absl::EndsWith(path, ext)) return type;
  }
  return "application/octet-stream";
}

StaticResponse Status(int status, absl::string_view text) {
  StaticResponse r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = absl::StrCat(text, "\n");
  return r;
}

}  // namespace

StaticResponse StaticFiles::Serve(absl::string_view method, absl::string_view raw_path) const {
  if (method != "GET" && method != "HEAD") return Status(405, "405 method not allowed");
  std::optional<std::string> path = url::PathUnescape(raw_path);
  if (!path || path->empty() || (*path)[0] != '/' || path->find('\0') != std::string::npos) {
    return Status(400, "400 bad request");
  }
  for (absl::string_view part : absl::StrSplit(*path, '/')) {
    if (part == "..") return Status(400, "invalid URL path");
  }
  if (absl::EndsWith(*path, "/index.html")) {
    StaticResponse r = Status(301, "");
    r.location = "./";
    return r;
  }
  std::string file = absl::StrCat(root_, *path);
  struct stat st;
  if (stat(file.c_str(), &st) != 0) return Status(404, "404 page not found");
  if (S_ISDIR(st.st_mode)) {
    if (!absl::EndsWith(*path, "/")) {
      StaticResponse r = Status(301, "");
      r.location = absl::StrCat(*path, "/");
      return r;
    }
    file = absl::StrCat(file, "index.html");
    if (stat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      return Status(404, "404 page not found");
    }
  } else if (!S_ISREG(st.st_mode)) {
    return Status(404, "404 page not found");
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status(403, "403 Forbidden");
  std::ostringstream body;
  body << in.rdbuf();
  StaticResponse r;
  r.content_type = ContentType(file);
  r.body = body.str();
  return r;
}

}  // namespace mlab::ndt7
