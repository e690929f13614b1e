// Fuzz target: the WebSocket frames an ndt7 client sends (masked, fragmented, control frames,
// any length field), fed in pieces of the sizes the input chooses, skipping binary payloads when
// the parser allows it, as the upload session does.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "lib/testing/fuzz_input.h"
#include "services/ndt-server/frame_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using mlab::ndt7::FrameParser;
  mlab::testing::FuzzInput input(data, size);
  const uint64_t max_message = 1 + input.U16();
  FrameParser parser(max_message);
  std::vector<FrameParser::Event> events;
  while (!input.empty() && !parser.done()) {
    const uint8_t step = input.Byte();
    if (step == 0 && parser.skippable() > 0) {
      parser.Skip(std::min<uint64_t>(parser.skippable(), input.U16() + 1), &events);
      continue;
    }
    parser.Consume(input.Bytes(step), &events);
  }
  for (const FrameParser::Event& event : events) {
    if (event.kind == FrameParser::Event::Kind::kText && event.payload.size() > max_message) {
      __builtin_trap();  // a text message never exceeds the limit
    }
  }
  return 0;
}
