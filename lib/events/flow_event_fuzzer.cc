// Fuzz target: the FlowEvents a subscriber receives over gRPC (protobuf wire format, several
// streams' worth, each message length-prefixed in the input), applied to OpenFlowTracker as the
// reconnecting subscriber does. Checks the tracker's bookkeeping against what it delivered.
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lib/events/flow_event.h"
#include "lib/events/handler.h"
#include "lib/events/open_flow_tracker.h"
#include "lib/testing/fuzz_input.h"

namespace {

class CountingHandler : public mlab::events::FlowEventHandler {
 public:
  void OnOpen(const mlab::events::FlowEvent& event) override {
    if (event.uuid().empty()) __builtin_trap();  // the tracker drops OPEN without uuid
    ++opens;
  }
  void OnClose(const mlab::events::FlowEvent& event) override {
    if (event.uuid().empty()) __builtin_trap();
    ++closes;
  }
  int64_t opens = 0;
  int64_t closes = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mlab::events;
  mlab::testing::FuzzInput input(data, size);
  CountingHandler handler;
  OpenFlowTracker tracker(&handler);
  tracker.BeginConnection();
  while (!input.empty()) {
    const uint8_t control = input.Byte();
    if (control == 0xff) {  // the stream broke: reconnect and expect a new replay
      tracker.BeginConnection();
      continue;
    }
    absl::string_view bytes = input.Bytes(control);
    FlowEvent event;
    if (!event.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) continue;
    IsKnownType(event.type());
    EventTime(event);
    tracker.Process(event, absl::FromUnixSeconds(1700000000));
  }
  const OpenFlowTracker::Counters& c = tracker.counters();
  if (c.opens_delivered != handler.opens || c.closes_delivered != handler.closes) __builtin_trap();
  if (static_cast<int64_t>(tracker.open_count()) > handler.opens) __builtin_trap();
  return 0;
}
