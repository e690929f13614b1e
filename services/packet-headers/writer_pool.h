#ifndef MLAB_SERVICES_PACKET_HEADERS_WRITER_POOL_H_
#define MLAB_SERVICES_PACKET_HEADERS_WRITER_POOL_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace mlab::packet_headers {

// Threads that compress and write flows, so capture threads never wait for zlib or the disk.
// With zero threads every task runs inline in Schedule (deterministic, for tests).
class WriterPool {
 public:
  explicit WriterPool(int threads);
  ~WriterPool();  // Stop()
  WriterPool(const WriterPool&) = delete;
  WriterPool& operator=(const WriterPool&) = delete;

  void Schedule(std::function<void()> task) ABSL_LOCKS_EXCLUDED(mu_);

  // Blocks until no task is queued or running.
  void WaitIdle() ABSL_LOCKS_EXCLUDED(mu_);

  // Runs what is queued, then joins the threads. Later Schedule calls run inline.
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);

  int64_t queued() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Loop();

  const int thread_count_;
  mutable absl::Mutex mu_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  int running_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace mlab::packet_headers

#endif  // MLAB_SERVICES_PACKET_HEADERS_WRITER_POOL_H_
