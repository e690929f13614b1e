// The datasets annotations are made from, published as one immutable snapshot: a reload builds
// new data outside any lock and swaps the snapshot, so lookups never wait for a reload.
#ifndef MLAB_SERVICES_UUID_ANNOTATOR_DATASETS_H_
#define MLAB_SERVICES_UUID_ANNOTATOR_DATASETS_H_

#include <functional>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "services/uuid-annotator/as_names.h"
#include "services/uuid-annotator/geo_database.h"
#include "services/uuid-annotator/route_views_table.h"
#include "services/uuid-annotator/site_info.h"

namespace mlab::uuid_annotator {

// Any member may be null: that dataset is not configured (or never loaded).
struct Datasets {
  std::shared_ptr<const GeoDatabase> geo;
  std::shared_ptr<const RouteViewsTable> routeview_v4;
  std::shared_ptr<const RouteViewsTable> routeview_v6;
  std::shared_ptr<const AsNames> as_names;
  std::shared_ptr<const SiteInfo> site;
};

// Thread-safe holder of the current snapshot.
class DatasetStore {
 public:
  DatasetStore() : current_(std::make_shared<const Datasets>()) {}

  // The current snapshot; it stays valid (and unchanged) for as long as the caller holds it.
  std::shared_ptr<const Datasets> Get() const ABSL_LOCKS_EXCLUDED(mu_) {
    absl::ReaderMutexLock lock(&mu_);
    return current_;
  }

  // Publishes a copy of the current snapshot changed by `change` (which must be quick: the data
  // it installs is built beforehand).
  void Update(const std::function<void(Datasets&)>& change) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    auto next = std::make_shared<Datasets>(*current_);
    change(*next);
    current_ = std::move(next);
  }

 private:
  mutable absl::Mutex mu_;
  std::shared_ptr<const Datasets> current_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mlab::uuid_annotator

#endif  // MLAB_SERVICES_UUID_ANNOTATOR_DATASETS_H_
