#ifndef MLAB_SERVICES_PUSHER_PUSHER_H_
#define MLAB_SERVICES_PUSHER_PUSHER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/pusher/datatype_spec.h"
#include "services/pusher/memoryless.h"
#include "services/pusher/pipeline.h"
#include "services/pusher/spool_watcher.h"
#include "services/pusher/sweeper.h"
#include "services/pusher/tar_bundle.h"
#include "services/pusher/uploader_factory.h"

namespace mlab::pusher {

struct PusherConfig {
  std::string directory;    // Watched: <directory>/<datatype> for each datatype.
  std::string journal_dir;  // "" = <directory>/.pusher
  std::string experiment;
  std::string node;
  DatatypeList datatypes;
  TarBundle::PaxRecords metadata;  // -metadata; MLAB.datatype is added per datatype
  int64_t archive_size_threshold = 20'000'000;
  MemorylessDelay archive_wait{absl::Minutes(30), absl::Hours(1), absl::Hours(2)};
  absl::Duration max_file_age = absl::Hours(2);
  MemorylessDelay cleanup_interval{absl::ZeroDuration(), absl::Hours(1), absl::Hours(4)};
  size_t max_pending_archives = 2;
  absl::Duration backoff_max = absl::Minutes(5);
  // How long a file found by a new-directory scan must be left unmodified before it is taken
  // without its close event (see SpoolWatcher).
  absl::Duration new_directory_settle = SpoolWatcher::kDefaultSettle;
};

// The whole service: one DatatypePipeline per datatype, fed by one SpoolWatcher and one
// Sweeper over all datatype directories.
class Pusher {
 public:
  Pusher(PusherConfig config, UploaderFactory uploaders);
  ~Pusher();
  Pusher(const Pusher&) = delete;
  Pusher& operator=(const Pusher&) = delete;

  // Creates missing datatype directories, locks and replays the journal, starts everything.
  absl::Status Start();

  // SIGTERM, first step: seals and uploads what is held now; collecting goes on, and archives
  // opened from now on are sealed after a second.
  void BeginDrain();
  // SIGTERM, last step: stops collecting, bundles what was accepted, and waits for the uploads
  // until `deadline`. Whatever is still unconfirmed then stays in the journal for the next
  // start. Returns true if everything was uploaded.
  bool FinishDrain(absl::Time deadline);

  // Stops at once (tests; a second signal).
  void Stop();

  // Refreshes the queue-depth, pending and oldest-age gauges.
  void UpdateGauges() const;

  // Total files in flight (accepted, not yet deleted) across datatypes.
  size_t in_flight() const;

 private:
  void OnFile(size_t root, const std::string& relative_path, SpoolWatcher::Event event);

  const PusherConfig config_;
  UploaderFactory uploaders_;
  std::vector<std::string> roots_;
  std::vector<std::unique_ptr<DatatypePipeline>> pipelines_;
  std::unique_ptr<SpoolWatcher> watcher_;
  std::unique_ptr<Sweeper> sweeper_;
  int lock_fd_ = -1;
};

}  // namespace mlab::pusher

#endif  // MLAB_SERVICES_PUSHER_PUSHER_H_
