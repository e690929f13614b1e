#ifndef MLAB_SERVICES_NDT_SERVER_RESULT_WRITER_H_
#define MLAB_SERVICES_NDT_SERVER_RESULT_WRITER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lib/spool/retrying_writer.h"
#include "lib/spool/spool_dir.h"
#include "services/ndt-server/result.h"

namespace mlab::ndt7 {

// Writes each result as <datadir>/ndt7/YYYY/MM/DD/ndt7-<kind>-<time>.<UUID>.json[.gz] through
// the spool, so pushers only ever see complete files. A result a full disk refuses is held in
// memory and written once there is room (spool::RetryingWriter). Thread-safe.
class ResultWriter {
 public:
  ResultWriter(const std::string& datadir, bool compress,
               spool::RetryingWriter::Options retry = spool::RetryingWriter::Options());

  absl::Status Init() const { return spool_.Init(); }

  // Writes `result`, naming it after `now` (upstream stamps the end of the test). Returns the
  // final path. If the disk has no room, the refusal is returned with *held set (when `held` is
  // given) and `done` reports later whether the held result was written or lost.
  absl::StatusOr<std::string> Write(const Ndt7Result& result, absl::Time now,
                                    spool::RetryingWriter::Done done = nullptr,
                                    bool* held = nullptr);

  // Shutdown: one last attempt at every held result.
  void Stop() { retrier_.Stop(); }
  const spool::RetryingWriter& retrier() const { return retrier_; }

  // "ndt7-download-20221130T230746.606388371Z.<uuid>.json.gz"
  static std::string FileName(Direction direction, absl::Time now, absl::string_view uuid,
                              bool compress);

 private:
  spool::SpoolDir spool_;
  bool compress_;
  spool::RetryingWriter retrier_;
};

// gzip (RFC 1952) of `data` at zlib level 1, upstream's gzip.BestSpeed.
absl::StatusOr<std::string> GzipFast(absl::string_view data);

}  // namespace mlab::ndt7

#endif  // MLAB_SERVICES_NDT_SERVER_RESULT_WRITER_H_
