// Fuzz target: a sock_diag dump reply as it arrives, in datagrams (each length-prefixed in the
// input) checked for port id and sequence, split into messages, ended by NLMSG_DONE or an error.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lib/testing/fuzz_input.h"
#include "services/tcp-info/sock_diag_reply.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mlab::testing::FuzzInput input(data, size);
  const bool via_prepare = input.Byte() & 1;
  mlab::tcpinfo::SockDiagReply reply(/*port_id=*/1234, /*sequence=*/77, input.U16());
  while (!input.empty() && !reply.done()) {
    absl::string_view datagram = input.LengthPrefixed();
    absl::Status status;
    if (via_prepare) {  // The collector's path: recv() straight into the reply's buffer.
      char* space = reply.Prepare(datagram.size() + 16);
      if (!datagram.empty()) std::memcpy(space, datagram.data(), datagram.size());
      status = reply.Commit(datagram.size());
    } else {
      status = reply.Add(datagram);
    }
    if (!status.ok()) return 0;
  }
  if (reply.done()) (void)reply.Finish(absl::FromUnixSeconds(1700000000));
  return 0;
}
