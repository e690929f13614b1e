// Keeps one dataset fresh from its source: fetch, parse (outside any lock), publish. A missing,
// unreadable or corrupt source is logged and counted and the last good copy stays in use.
#ifndef MLAB_SERVICES_UUID_ANNOTATOR_DATASET_LOADER_H_
#define MLAB_SERVICES_UUID_ANNOTATOR_DATASET_LOADER_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "services/uuid-annotator/data_source.h"
#include "services/uuid-annotator/datasets.h"

namespace mlab::uuid_annotator {

class DatasetLoader {
 public:
  // What a successful parse installs into the snapshot, and its size for metrics.
  struct Parsed {
    std::function<void(Datasets&)> install;
    double entries = 1;
  };
  using Parser = std::function<absl::StatusOr<Parsed>(std::string data)>;

  enum class Result { kLoaded, kUnchanged, kError };

  // `name` labels logs and metrics (maxmind, routeview-v4, routeview-v6, asname, siteinfo).
  DatasetLoader(std::string name, std::unique_ptr<DataSource> source, Parser parser,
                DatasetStore* store);

  // One attempt. OK when the data in use is current (newly loaded, or the source is unchanged
  // and its content was good); the error otherwise. Content that failed to parse is not parsed
  // again until the source changes, but keeps reporting the failure.
  absl::Status Load(Result* result = nullptr) ABSL_LOCKS_EXCLUDED(mu_);

  const std::string& name() const { return name_; }
  const DataSource& source() const { return *source_; }

 private:
  const std::string name_;
  const std::unique_ptr<DataSource> source_;
  const Parser parser_;
  DatasetStore* const store_;

  absl::Mutex mu_;                                    // One attempt at a time.
  std::string version_ ABSL_GUARDED_BY(mu_);          // Of the last content fetched.
  absl::Status version_status_ ABSL_GUARDED_BY(mu_);  // Whether that content parsed.
};

// Parsers for upstream's five datasets.
DatasetLoader::Parser MaxMindParser();
// `v6` only selects where the table goes; either file may hold either family, as upstream.
DatasetLoader::Parser RouteViewsParser(bool v6);
DatasetLoader::Parser AsNamesParser();
// `hostname` is MlabHostname::StringWithService() of -hostname.
DatasetLoader::Parser SiteInfoParser(std::string hostname);

}  // namespace mlab::uuid_annotator

#endif  // MLAB_SERVICES_UUID_ANNOTATOR_DATASET_LOADER_H_
