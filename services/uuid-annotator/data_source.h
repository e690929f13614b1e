// Where a dataset comes from: a local file (path, file:path or file:///path), a Google Cloud
// Storage object (gs://bucket/object, see gcs_source.h) or an http(s) URL.
// Fetch skips unchanged content, so periodic reloads cost a stat or a conditional GET.
#ifndef MLAB_SERVICES_UUID_ANNOTATOR_DATA_SOURCE_H_
#define MLAB_SERVICES_UUID_ANNOTATOR_DATA_SOURCE_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace mlab::uuid_annotator {

class DataSource {
 public:
  struct Content {
    std::string data;
    // Identifies this content (file mtime/size/inode, ETag, Last-Modified or a digest), to ask
    // for "only if changed" next time.
    std::string version;
  };

  // "file:rel", "file:///abs", a bare path, "gs://bucket/object", "http://..." or "https://...".
  // InvalidArgument for other schemes.
  static absl::StatusOr<std::unique_ptr<DataSource>> FromUrl(absl::string_view url);

  virtual ~DataSource() = default;

  // The content, or nullopt when it is still `known_version` (pass "" to always get it).
  virtual absl::StatusOr<std::optional<Content>> Fetch(absl::string_view known_version) = 0;

  // The URL as given, for logs.
  virtual const std::string& url() const = 0;
};

// Reads a local file.
class FileSource : public DataSource {
 public:
  FileSource(std::string url, std::string path) : url_(std::move(url)), path_(std::move(path)) {}
  absl::StatusOr<std::optional<Content>> Fetch(absl::string_view known_version) override;
  const std::string& url() const override { return url_; }
  const std::string& path() const { return path_; }

 private:
  std::string url_;
  std::string path_;
};

// GETs an http(s) URL with libcurl: conditional on the last ETag/Last-Modified, failing on any
// status but 200 (and 304), within `timeout` (upstream's 1 minute).
class HttpSource : public DataSource {
 public:
  explicit HttpSource(std::string url, absl::Duration timeout = absl::Minutes(1))
      : url_(std::move(url)), timeout_(timeout) {}
  absl::StatusOr<std::optional<Content>> Fetch(absl::string_view known_version) override;
  const std::string& url() const override { return url_; }

 private:
  std::string url_;
  absl::Duration timeout_;
};

}  // namespace mlab::uuid_annotator

#endif  // MLAB_SERVICES_UUID_ANNOTATOR_DATA_SOURCE_H_
