#include "services/ndt-server/frame_parser.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace mlab::ndt7 {
namespace {

using Kind = FrameParser::Event::Kind;

// A client frame: masked with a fixed key unless `masked` is false.
std::string Frame(int opcode, const std::string& payload, bool fin = true, bool masked = true) {
  std::string f;
  f.push_back(static_cast<char>((fin ? 0x80 : 0) | opcode));
  const unsigned char mask_bit = masked ? 0x80 : 0;
  if (payload.size() < 126) {
    f.push_back(static_cast<char>(mask_bit | payload.size()));
  } else if (payload.size() < 65536) {
    f.push_back(static_cast<char>(mask_bit | 126));
    f.push_back(static_cast<char>(payload.size() >> 8));
    f.push_back(static_cast<char>(payload.size() & 0xff));
  } else {
    f.push_back(static_cast<char>(mask_bit | 127));
    for (int s = 56; s >= 0; s -= 8)
      f.push_back(static_cast<char>((uint64_t{payload.size()} >> s) & 0xff));
  }
  const unsigned char key[4] = {0x12, 0x34, 0x56, 0x78};
  if (masked) f.append(reinterpret_cast<const char*>(key), 4);
  for (size_t i = 0; i < payload.size(); ++i) {
    f.push_back(static_cast<char>(payload[i] ^ (masked ? key[i % 4] : 0)));
  }
  return f;
}

TEST(Unmask, MatchesBytewiseAtEveryOffset) {
  const unsigned char key[4] = {1, 2, 3, 4};
  for (size_t offset = 0; offset < 4; ++offset) {
    std::string data(37, 'a');
    std::string expect = data;
    for (size_t i = 0; i < expect.size(); ++i) expect[i] ^= key[(offset + i) % 4];
    Unmask(data.data(), data.size(), key, offset);
    EXPECT_EQ(data, expect) << offset;
  }
}

TEST(FrameParser, ReassemblesTextCountsBinaryAndReportsControl) {
  FrameParser p(1 << 24);
  std::vector<FrameParser::Event> events;
  std::string wire = Frame(0x1, "{\"App", false) + Frame(0x9, "tick") + Frame(0x0, "Info\":{}}") +
                     Frame(0x2, std::string(70000, 'x')) + Frame(0x2, std::string(10, 'y'), false) +
                     Frame(0x0, std::string(5, 'z')) +
                     Frame(0x8,
                           "\x03\xe8"
                           "bye");
  // Byte by byte, so every header and payload boundary is crossed.
  for (char c : wire) p.Consume(std::string(1, c), &events);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].kind, Kind::kPing);
  EXPECT_EQ(events[0].payload, "tick");
  EXPECT_EQ(events[1].kind, Kind::kText);
  EXPECT_EQ(events[1].payload, "{\"AppInfo\":{}}");
  EXPECT_EQ(events[2].kind, Kind::kClose);
  EXPECT_EQ(events[2].close_code, 1000);
  EXPECT_EQ(events[2].payload, "bye");
  EXPECT_EQ(p.binary_bytes(), 70015u);
  EXPECT_TRUE(p.done());
}

TEST(FrameParser, BinaryPayloadCanBeSkippedUnread) {
  FrameParser p(1 << 24);
  std::vector<FrameParser::Event> events;
  const std::string frame = Frame(0x2, std::string(1 << 20, 'q'));
  const size_t header = frame.size() - (1 << 20);
  p.Consume(frame.substr(0, header + 100), &events);
  EXPECT_EQ(p.skippable(), (1u << 20) - 100);
  p.Skip(p.skippable(), &events);
  EXPECT_EQ(p.skippable(), 0u);
  p.Consume(Frame(0x1, "{}"), &events);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].payload, "{}");
  EXPECT_EQ(p.binary_bytes(), 1u << 20);
}

TEST(FrameParser, RejectsProtocolViolations) {
  struct Case {
    std::string wire;
    uint16_t code;
  };
  const std::vector<Case> cases = {
      {Frame(0x2, "abc", true, /*masked=*/false), 1002},
      {std::string("\xc2\x80\0\0\0\0", 6), 1002},  // RSV1
      {Frame(0x3, "x"), 1002},
      {Frame(0xb, "x"), 1002},
      {Frame(0x0, "x"), 1002},
      {Frame(0x9, "x", /*fin=*/false), 1002},
      {Frame(0x9, std::string(126, 'p')), 1002},
      {Frame(0x2, "a", false) + Frame(0x1, "b"), 1002},
      {Frame(0x2, std::string(2000, 'b')), 1009},
      {Frame(0x8, "\x03"), 1002},
  };
  for (const Case& c : cases) {
    FrameParser p(1024);
    std::vector<FrameParser::Event> events;
    p.Consume(c.wire, &events);
    ASSERT_FALSE(events.empty()) << testing::PrintToString(c.wire);
    EXPECT_EQ(events.back().kind, Kind::kError);
    EXPECT_EQ(events.back().close_code, c.code);
    EXPECT_TRUE(p.done());
  }
}

}  // namespace
}  // namespace mlab::ndt7
