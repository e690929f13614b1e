// Fuzz target: the JSON lines of upstream's event socket, for any UUID and 4-tuple. Whatever the
// bytes, each line must be one valid JSON object that carries the UUID back unchanged (when the
// UUID is valid UTF-8: M-Lab UUIDs are ASCII), so that Go's json.Unmarshal in upstream sidecars
// never fails on one of our lines.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "lib/json/go_encoding.h"
#include "lib/testing/fuzz_input.h"
#include "rapidjson/document.h"
#include "rapidjson/encodings.h"
#include "rapidjson/error/en.h"
#include "rapidjson/stringbuffer.h"
#include "services/tcp-info/legacy_event.h"
#include "services/tcp-info/sock_id.h"

namespace {

void CheckLine(const std::string& line, const std::string& uuid, bool uuid_is_utf8) {
  if (line.empty() || line.back() != '\n' || line.find('\n') != line.size() - 1) __builtin_trap();
  rapidjson::Document doc;
  doc.Parse(line.data(), line.size() - 1);
  if (doc.HasParseError() || !doc.IsObject()) __builtin_trap();
  if (!uuid_is_utf8) return;
  auto it = doc.FindMember("UUID");
  if (it == doc.MemberEnd() || !it->value.IsString()) __builtin_trap();
  if (std::string(it->value.GetString(), it->value.GetStringLength()) != uuid) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mlab::tcpinfo;
  mlab::testing::FuzzInput input(data, size);
  SockId id;
  id.family = input.Byte() & 1 ? 2 : 10;
  id.src_port = input.U16();
  id.dst_port = input.U16();
  for (auto& b : id.src) b = input.Byte();
  for (auto& b : id.dst) b = input.Byte();
  id.interface = input.U32();
  id.cookie = input.U64();
  const absl::Time when = absl::FromUnixNanos(static_cast<int64_t>(input.U64() >> 1));
  const std::string uuid(input.Rest());
  // Strict UTF-8 (what SanitizeUtf8 keeps unchanged) and no NUL.
  const bool utf8 = uuid.find('\0') == std::string::npos && mlab::json::SanitizeUtf8(uuid) == uuid;
  CheckLine(LegacyOpenLine(when, uuid, id), uuid, utf8);
  CheckLine(LegacyCloseLine(when, uuid), uuid, utf8);
  return 0;
}
