#ifndef MLAB_SERVICES_TCP_INFO_TESTING_RECORDING_OBSERVER_H_
#define MLAB_SERVICES_TCP_INFO_TESTING_RECORDING_OBSERVER_H_

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/tcp-info/flow_observer.h"

namespace mlab::tcpinfo::testing {

// Records what a FlowTable tells its observers, one readable line per call:
// "open <cookie>", "snapshot <cookie> <change>", "close <cookie>".
class RecordingObserver : public FlowObserver {
 public:
  void OnOpen(const Flow& flow, const SocketSnapshot& first) override {
    calls.push_back(absl::StrCat("open ", flow.cookie));
    flows.push_back(flow);
  }
  void OnSnapshot(const Flow& flow, const SocketSnapshot& snapshot,
                  SnapshotChange change) override {
    calls.push_back(absl::StrCat("snapshot ", flow.cookie, " ", SnapshotChangeName(change)));
  }
  void OnClose(const Flow& flow, absl::Time when) override {
    calls.push_back(absl::StrCat("close ", flow.cookie));
    close_times.push_back(when);
  }

  std::vector<std::string> Take() {
    std::vector<std::string> taken;
    taken.swap(calls);
    return taken;
  }

  std::vector<std::string> calls;
  std::vector<Flow> flows;
  std::vector<absl::Time> close_times;
};

}  // namespace mlab::tcpinfo::testing

#endif  // MLAB_SERVICES_TCP_INFO_TESTING_RECORDING_OBSERVER_H_
