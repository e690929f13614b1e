#ifndef MLAB_SERVICES_TRACEROUTE_CALLER_HOP_ANNOTATOR_H_
#define MLAB_SERVICES_TRACEROUTE_CALLER_HOP_ANNOTATOR_H_

// Hop annotation as upstream's hopannotation package does it: each hop address is annotated at
// most once per (UTC) day of the trace start, with one Annotator call per trace for its new hops,
// and one hopannotation2 file (mode 0444) per annotated hop. Unlike upstream, hops whose call
// failed, or whose file could not be written, are forgotten again, so a later trace retries them.

#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "lib/spool/spool_dir.h"
#include "services/traceroute-caller/annotator_client.h"

namespace mlab::trc {

class HopAnnotator {
 public:
  // `client` and `output` must outlive this. `hostname` goes into file names and IDs; it must be
  // what scamper puts in cycle-start (gethostname), since ETL joins on it.
  HopAnnotator(AnnotatorClient* client, const spool::SpoolDir* output, std::string hostname);

  // Annotates the hops not yet annotated on trace_start's day and writes their files. Returns the
  // number of files written. Fails without doing anything if a hop is not an IP address.
  absl::StatusOr<int> AnnotateAndWrite(const std::vector<std::string>& hops,
                                       absl::Time trace_start);

  // Hops remembered for `day` (YYYYMMDD).
  size_t CachedHops(const std::string& day) const;

 private:
  // Remembers the hops not seen on `day` and returns them.
  std::vector<std::string> Claim(const std::string& day, const std::vector<std::string>& hops);
  void Forget(const std::string& day, const std::vector<std::string>& hops);
  absl::Status WriteOne(const std::string& hop, absl::Time trace_start,
                        const annotation::ClientAnnotations& annotations);

  AnnotatorClient* const client_;
  const spool::SpoolDir* const output_;
  const std::string hostname_;
  mutable absl::Mutex mu_;
  // Only the two most recent days are kept: later traces never start on older days.
  std::map<std::string, absl::flat_hash_set<std::string>> days_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mlab::trc

#endif  // MLAB_SERVICES_TRACEROUTE_CALLER_HOP_ANNOTATOR_H_
