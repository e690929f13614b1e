// Turns flow Open events into annotation2 files: a bounded queue (upstream's -eventbuffersize,
// overflow dropped and counted) and one worker that annotates and writes each file through the
// spool (staged, then renamed into <datadir>/YYYY/MM/DD/<UUID>.json, never overwritten).
#ifndef MLAB_SERVICES_UUID_ANNOTATOR_ANNOTATION_WRITER_H_
#define MLAB_SERVICES_UUID_ANNOTATOR_ANNOTATION_WRITER_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "lib/events/handler.h"
#include "lib/spool/spool_dir.h"
#include "services/uuid-annotator/annotated_log.h"
#include "services/uuid-annotator/flow_annotator.h"

namespace mlab::uuid_annotator {

class AnnotationWriter : public events::FlowEventHandler {
 public:
  struct Options {
    // Opens waiting to be written; more are dropped (missed_uuids_total{reason="pipefull"}).
    size_t queue_size = 1000;
    // Where the UUIDs annotated lately are kept across restarts (AnnotatedLog); empty: in memory
    // only.
    std::string annotated_log;
  };

  struct Stats {
    int64_t written = 0;
    int64_t already_annotated = 0;
    int64_t write_failed = 0;
    int64_t dropped = 0;
    int64_t malformed = 0;
  };

  // Both must outlive this object.
  AnnotationWriter(const FlowAnnotator* annotator, const spool::SpoolDir* spool, Options options);
  ~AnnotationWriter() override;  // Stop()

  // Loads the annotated log (a failure is logged: annotation goes on, without memory across
  // restarts) and starts the worker.
  void Start();
  // Writes every queued event, then joins the worker. Idempotent.
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);

  // Queues the flow; never blocks the subscriber.
  void OnOpen(const events::FlowEvent& event) override ABSL_LOCKS_EXCLUDED(mu_);
  // Upstream annotates at open only.
  void OnClose(const events::FlowEvent& event) override {}

  size_t queue_length() const ABSL_LOCKS_EXCLUDED(mu_);
  Stats stats() const ABSL_LOCKS_EXCLUDED(mu_);

  // Waits until the queue is empty and the worker idle (for tests and shutdown).
  bool WaitIdle(absl::Duration timeout) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Job {
    std::string uuid;
    absl::Time timestamp;
    std::string src_ip;
    std::string dst_ip;
  };

  void Run();
  void Write(const Job& job);

  const FlowAnnotator* const annotator_;
  const spool::SpoolDir* const spool_;
  const Options options_;
  AnnotatedLog annotated_;  // the worker's alone, after Start()

  mutable absl::Mutex mu_;
  std::deque<Job> queue_ ABSL_GUARDED_BY(mu_);
  bool busy_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  Stats stats_ ABSL_GUARDED_BY(mu_);
  std::thread worker_;
};

}  // namespace mlab::uuid_annotator

#endif  // MLAB_SERVICES_UUID_ANNOTATOR_ANNOTATION_WRITER_H_
