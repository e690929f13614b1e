#include "services/uuid-annotator/data_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "absl/hash/hash.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/url/escape.h"
#include "services/uuid-annotator/archive_reader.h"
#include "services/uuid-annotator/gcs_source.h"
#include "services/uuid-annotator/http_client.h"

namespace mlab::uuid_annotator {
namespace {

std::string FileVersion(const struct stat& st) {
  return absl::StrCat("file:", st.st_mtim.tv_sec, ".", st.st_mtim.tv_nsec, ":", st.st_size, ":",
                      st.st_ino, ":", st.st_dev);
}

absl::Status Errno(absl::string_view what, absl::string_view path) {
  return absl::UnavailableError(absl::StrCat(what, " ", path, ": ", strerror(errno)));
}

absl::StatusOr<std::string> ReadWhole(int fd, const std::string& path) {
  std::string data;
  char buf[1 << 16];
  while (true) {
    const ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("read", path);
    }
    if (n == 0) return data;
    data.append(buf, n);
    if (data.size() > kMaxDatasetBytes) {
      return absl::InvalidArgumentError(absl::StrCat(path, " is larger than any dataset"));
    }
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<DataSource>> DataSource::FromUrl(absl::string_view url) {
  const std::string text(url);
  if (url.empty()) return absl::InvalidArgumentError("empty dataset URL");
  if (absl::StartsWithIgnoreCase(url, "http://") || absl::StartsWithIgnoreCase(url, "https://")) {
    return std::make_unique<HttpSource>(text);
  }
  if (absl::StartsWithIgnoreCase(url, "gs://")) return GcsSource::FromUrl(url);
  if (absl::StartsWithIgnoreCase(url, "file:")) {
    absl::string_view rest = url.substr(5);
    if (absl::StartsWith(rest, "//")) {
      // file://host/path or file:///path: the path after the authority, unescaped.
      rest.remove_prefix(2);
      const size_t slash = rest.find('/');
      if (slash == absl::string_view::npos) {
        return absl::InvalidArgumentError(absl::StrCat("no path in ", url));
      }
      // Go's url.Parse unescapes the path of hierarchical URLs.
      std::optional<std::string> path = url::PathUnescape(rest.substr(slash));
      if (!path) return absl::InvalidArgumentError(absl::StrCat("bad escape in URL path: ", url));
      return std::make_unique<FileSource>(text, *path);
    }
    if (rest.empty()) return absl::InvalidArgumentError(absl::StrCat("no path in ", url));
    // file:relative/path (Go's opaque form, used as is).
    return std::make_unique<FileSource>(text, std::string(rest));
  }
  const size_t colon = url.find(':');
  const size_t slash = url.find('/');
  if (colon != absl::string_view::npos && (slash == absl::string_view::npos || colon < slash)) {
    return absl::InvalidArgumentError(absl::StrCat("unsupported dataset URL scheme in \"", url,
                                                   "\" (use file:, http:// or https://)"));
  }
  return std::make_unique<FileSource>(text, text);  // A plain local path.
}

absl::StatusOr<std::optional<DataSource::Content>> FileSource::Fetch(
    absl::string_view known_version) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    struct stat before;
    if (stat(path_.c_str(), &before) != 0) return Errno("stat", path_);
    if (!S_ISREG(before.st_mode)) {
      return absl::FailedPreconditionError(absl::StrCat(path_, " is not a regular file"));
    }
    const std::string version = FileVersion(before);
    if (version == known_version) return std::nullopt;
    const int fd = open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Errno("open", path_);
    absl::StatusOr<std::string> data = ReadWhole(fd, path_);
    struct stat after;
    const int rc = fstat(fd, &after);
    close(fd);
    if (!data.ok()) return data.status();
    // A file replaced or rewritten while being read is read again.
    if (rc == 0 && FileVersion(after) == version && after.st_ino == before.st_ino) {
      return Content{*std::move(data), version};
    }
  }
  return absl::UnavailableError(absl::StrCat(path_, " keeps changing while being read"));
}

absl::StatusOr<std::optional<DataSource::Content>> HttpSource::Fetch(
    absl::string_view known_version) {
  HttpRequest request;
  request.url = url_;
  request.timeout = timeout_;
  request.max_body_bytes = kMaxDatasetBytes;
  if (absl::StartsWith(known_version, "etag:")) {
    request.headers.push_back(absl::StrCat("If-None-Match: ", known_version.substr(5)));
  } else if (absl::StartsWith(known_version, "lm:")) {
    request.headers.push_back(absl::StrCat("If-Modified-Since: ", known_version.substr(3)));
  }
  absl::StatusOr<HttpResponse> response = HttpFetch(request);
  if (!response.ok()) return response.status();
  if (response->status == 304 && !known_version.empty()) return std::nullopt;
  if (response->status != 200) {
    return absl::UnavailableError(absl::StrCat("GET ", url_, ": HTTP status ", response->status));
  }
  std::string version;
  if (const std::string etag = response->Header("etag"); !etag.empty()) {
    version = absl::StrCat("etag:", etag);
  } else if (const std::string lm = response->Header("last-modified"); !lm.empty()) {
    version = absl::StrCat("lm:", lm);
  } else {
    // Without validators, an unchanged body is recognised by its digest.
    version = absl::StrCat("digest:", response->body.size(), ":",
                           absl::Hash<absl::string_view>{}(response->body));
  }
  if (version == known_version) return std::nullopt;
  return Content{std::move(response->body), std::move(version)};
}

}  // namespace mlab::uuid_annotator
