// The wire and archive formats against upstream's: Go's time and address texts, the exact
// measurement JSON (checked against a real archive from M-Lab's ETL test data), client message
// decoding, message scaling and the prepared download frames, and the result file.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "services/ndt-server/go_format.h"
#include "services/ndt-server/measurement.h"
#include "services/ndt-server/payload.h"
#include "services/ndt-server/result.h"
#include "services/ndt-server/result_writer.h"
#include "services/ndt-server/test_util.h"

namespace mlab::ndt7 {
namespace {

constexpr char kEtlSample[] =
    "../shared_testdata/etl/parser/testdata/NDT7Result/"
    "ndt7-download-20221130T230746.606388371Z.ndt-rczlq_1666977535_unsafe_000000000016912D.json";

using testing::Gunzip;
using testing::ReadFile;

// The text of the JSON object that follows `"key":` at or after `from` in `json`.
std::string ObjectAfter(const std::string& json, const std::string& key, size_t from = 0) {
  size_t start = json.find("\"" + key + "\":{", from);
  if (start == std::string::npos) return "";
  start += key.size() + 3;
  int depth = 0;
  for (size_t i = start; i < json.size(); ++i) {
    if (json[i] == '{') ++depth;
    if (json[i] == '}' && --depth == 0) return json.substr(start, i - start + 1);
  }
  return "";
}

TEST(GoFormat, GoTimeTextWritesInfinitePastAsGoZeroTime) {
  EXPECT_EQ(GoTimeText(absl::FromUnixNanos(1669849666500000000)), "2022-11-30T23:07:46.5Z");
  EXPECT_EQ(GoTimeText(absl::InfinitePast()), "0001-01-01T00:00:00Z");
}

TEST(GoFormat, FileTimeAlwaysHasNineDigits) {
  EXPECT_EQ(FormatFileTime(absl::FromUnixNanos(1669849666606388371)), "20221130T230746.606388371Z");
  EXPECT_EQ(FormatFileTime(absl::FromUnixSeconds(1669849666)), "20221130T230746.000000000Z");
}

TEST(GoFormat, V4MappedAddressesAreDottedQuads) {
  sockaddr_storage ss{};
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
  in6->sin6_family = AF_INET6;
  in6->sin6_port = htons(443);
  inet_pton(AF_INET6, "::ffff:192.0.2.7", &in6->sin6_addr);
  GoAddr a = ToGoAddr(ss);
  EXPECT_EQ(a.ip, "192.0.2.7");
  EXPECT_EQ(FormatHostPort(a), "192.0.2.7:443");
  inet_pton(AF_INET6, "2001:db8::1", &in6->sin6_addr);
  a = ToGoAddr(ss);
  EXPECT_EQ(FormatHostPort(a), "[2001:db8::1]:443");
}

TEST(Measurement, TcpInfoIsAll54FieldsInGoOrderWithSignedRates) {
  Measurement m;
  m.tcp_info.emplace();
  m.tcp_info->linux.pacing_rate = 4474419;
  m.tcp_info->linux.max_pacing_rate = ~uint64_t{0};  // the kernel's "unlimited"
  m.tcp_info->linux.segs_out = 0xffffffff;
  m.tcp_info->linux.wscale = 0x77;
  m.tcp_info->elapsed_time = 81902;
  const std::string json = MeasurementToJson(m);
  EXPECT_NE(json.find("\"PacingRate\":4474419,\"MaxPacingRate\":-1,"), std::string::npos) << json;
  EXPECT_NE(json.find("\"SegsOut\":-1,"), std::string::npos);
  EXPECT_NE(json.find("\"WScale\":119,"), std::string::npos);
  const std::string tail = "\"SndWnd\":0,\"ElapsedTime\":81902}}";
  EXPECT_EQ(json.rfind(tail), json.size() - tail.size()) << json;
  EXPECT_EQ(json.find("{\"TCPInfo\":{\"State\":0,\"CAState\":0,"), 0u);
  rapidjson::Document doc;
  doc.Parse(json.c_str());
  ASSERT_FALSE(doc.HasParseError());
  EXPECT_EQ(doc["TCPInfo"].MemberCount(), 55u);
  EXPECT_FALSE(doc.HasMember("AppInfo"));
  EXPECT_FALSE(doc.HasMember("BBRInfo"));
}

// Decoding a real upstream message and encoding it again must give the same bytes: field
// names, order and number types are those of the Go structs.
TEST(Measurement, RoundTripsARealArchiveByteForByte) {
  const std::string sample = ReadFile(kEtlSample);
  ASSERT_FALSE(sample.empty()) << "missing " << kEtlSample;
  rapidjson::Document doc;
  doc.Parse(sample.c_str());
  ASSERT_FALSE(doc.HasParseError());
  const auto& list = doc["Download"]["ServerMeasurements"];
  ASSERT_GT(list.Size(), 10u);
  size_t pos = sample.find("\"ServerMeasurements\"");
  for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
    const std::string tcp = ObjectAfter(sample, "TCPInfo", pos);
    const std::string bbr = ObjectAfter(sample, "BBRInfo", pos);
    ASSERT_FALSE(tcp.empty());
    Measurement m;
    m.bbr_info.emplace();
    m.tcp_info.emplace();
    absl::StatusOr<Measurement> parsed =
        ParseMeasurement(absl::StrCat("{\"BBRInfo\":", bbr, ",\"TCPInfo\":", tcp, "}"));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    const std::string ours = MeasurementToJson(*parsed);
    EXPECT_EQ(ours, absl::StrCat("{\"BBRInfo\":", bbr, ",\"TCPInfo\":", tcp, "}"));
    pos = sample.find("\"TCPInfo\":", pos) + 10;
  }
  EXPECT_NE(sample.find("\"MaxPacingRate\":-1"), std::string::npos);
}

TEST(Measurement, ConnectionInfoOmitsEmptyUuidButAlwaysHasStartTime) {
  Measurement m;
  m.connection_info = ConnectionInfo{"192.0.2.2:5000", "192.0.2.1:443", "", "2026-01-02T03:04:05Z"};
  EXPECT_EQ(MeasurementToJson(m),
            "{\"ConnectionInfo\":{\"Client\":\"192.0.2.2:5000\",\"Server\":\"192.0.2.1:443\","
            "\"StartTime\":\"2026-01-02T03:04:05Z\"}}");
}

TEST(Measurement, ParsesClientMessagesAsGoDoes) {
  absl::StatusOr<Measurement> m =
      ParseMeasurement(R"({"appinfo":{"NumBytes":100,"ElapsedTime":2000},"Origin":"client",
                          "Test":"upload","Unknown":[1,2]})");
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_TRUE(m->app_info.has_value());
  EXPECT_EQ(m->app_info->num_bytes, 100);
  EXPECT_EQ(MeasurementToJson(*m), "{\"AppInfo\":{\"NumBytes\":100,\"ElapsedTime\":2000}}");
  EXPECT_TRUE(ParseMeasurement("null").ok());
  EXPECT_FALSE(ParseMeasurement("{\"AppInfo\":{\"NumBytes\":1.5}}").ok());
  EXPECT_FALSE(ParseMeasurement("{\"AppInfo\":{\"NumBytes\":\"1\"}}").ok());
  EXPECT_FALSE(ParseMeasurement("{\"TCPInfo\":{\"State\":256}}").ok());
  EXPECT_FALSE(ParseMeasurement("{\"BBRInfo\":{\"MinRTT\":-1}}").ok());
  EXPECT_FALSE(ParseMeasurement("[1]").ok());
  EXPECT_FALSE(ParseMeasurement("{} {}").ok());
  EXPECT_FALSE(ParseMeasurement("{\"AppInfo\":").ok());
}

TEST(MessageSizer, DoublesFrom8KiBTo1MiBAsUpstream) {
  MessageSizer sizer;
  std::vector<size_t> sizes;
  for (int i = 0; i < 200; ++i) {
    sizes.push_back(sizer.size());
    sizer.OnSent();
  }
  for (int i = 0; i < 16; ++i) EXPECT_EQ(sizes[i], 8192u) << i;
  for (int i = 16; i < 24; ++i) EXPECT_EQ(sizes[i], 16384u) << i;
  EXPECT_EQ(sizes[24], 32768u);
  size_t first_mib = 0;
  while (sizes[first_mib] != (1u << 20)) ++first_mib;
  int64_t before = 0;
  for (size_t i = 0; i < first_mib; ++i) before += sizes[i];
  // 512 KiB doubles once 16 x 512 KiB have gone out: 1 MiB starts after 8 MiB, message 65.
  EXPECT_EQ(before, int64_t{8} << 20);
  EXPECT_EQ(first_mib, 64u);
  for (size_t i = first_mib; i < sizes.size(); ++i) EXPECT_EQ(sizes[i], 1u << 20);
  EXPECT_EQ(SharedPayload().size(), 1u << 20);
}

TEST(FramedPayload, BinaryFrameHeaderUsesTheShortestLengthField) {
  unsigned char h[10];
  ASSERT_EQ(BinaryFrameHeader(125, h), 2u);
  EXPECT_EQ(h[0], 0x82);  // FIN, binary, and no mask bit below: server frames are unmasked
  EXPECT_EQ(h[1], 125);
  ASSERT_EQ(BinaryFrameHeader(126, h), 4u);
  EXPECT_EQ(std::vector<int>(h, h + 4), (std::vector<int>{0x82, 126, 0, 126}));
  ASSERT_EQ(BinaryFrameHeader(65535, h), 4u);
  EXPECT_EQ(std::vector<int>(h + 2, h + 4), (std::vector<int>{0xff, 0xff}));
  ASSERT_EQ(BinaryFrameHeader(65536, h), 10u);
  EXPECT_EQ(std::vector<int>(h, h + 10), (std::vector<int>{0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0}));
}

TEST(FramedPayload, EveryMessageSizeIsAHeaderThenThePayloadPrefix) {
  const FramedPayload& frames = FramedPayload::Get();
  ASSERT_GE(frames.fd(), 0) << "memfd_create is available on every kernel we support";
  for (size_t size = 8192; size <= (1u << 20); size *= 2) {
    const FramedPayload::Frame f = frames.FrameFor(size);
    unsigned char h[10];
    const size_t header_len = BinaryFrameHeader(size, h);
    ASSERT_EQ(f.length, header_len + size) << size;
    const char* bytes = frames.data() + f.offset;
    EXPECT_EQ(std::string(bytes, header_len), std::string(reinterpret_cast<char*>(h), header_len));
    EXPECT_EQ(absl::string_view(bytes + header_len, size), SharedPayload().substr(0, size));
    // The memfd holds the same bytes (what sendfile sends).
    std::string from_file(f.length, '\0');
    ASSERT_EQ(pread(frames.fd(), from_file.data(), f.length, f.offset),
              static_cast<ssize_t>(f.length));
    EXPECT_EQ(from_file, std::string(bytes, f.length)) << size;
  }
  // Sealed: nobody can change what every connection sends.
  EXPECT_EQ(pwrite(frames.fd(), "x", 1, 0), -1);
  // The shared payload is the largest frame's, not a second megabyte; and it is random.
  const FramedPayload::Frame largest = frames.FrameFor(1u << 20);
  EXPECT_EQ(SharedPayload().data(), frames.data() + largest.offset + 10);
  std::set<char> values(SharedPayload().begin(), SharedPayload().end());
  EXPECT_EQ(values.size(), 256u);
}

TEST(FramedPayload, SendfileExceptToThisHostUnlessForced) {
  EXPECT_EQ(ChooseFrameWrite(FrameWritePolicy::kAuto, false, true), FrameWrite::kSendfile);
  EXPECT_EQ(ChooseFrameWrite(FrameWritePolicy::kAuto, true, true), FrameWrite::kSend);
  EXPECT_EQ(ChooseFrameWrite(FrameWritePolicy::kAlways, true, true), FrameWrite::kSendfile);
  EXPECT_EQ(ChooseFrameWrite(FrameWritePolicy::kNever, false, true), FrameWrite::kSend);
  EXPECT_EQ(ChooseFrameWrite(FrameWritePolicy::kAlways, false, false), FrameWrite::kSend);
}

Ndt7Result SampleResult() {
  Ndt7Result r;
  r.git_short_commit = "abc1234";
  r.version = "v1";
  r.server_ip = "192.0.2.1";
  r.server_port = 443;
  r.client_ip = "2001:db8::2";
  r.client_port = 5555;
  r.start_time = absl::FromUnixNanos(1700000000123456789);
  r.end_time = absl::FromUnixNanos(1700000010000000000);
  r.direction = Direction::kUpload;
  r.data.uuid = "host_123_00000000000000FF";
  r.data.start_time = r.start_time;
  r.data.end_time = r.end_time;
  return r;
}

TEST(Result, SchemaOrderNullListsAndOmittedMetadata) {
  Ndt7Result r = SampleResult();
  EXPECT_EQ(ResultToJson(r),
            "{\"GitShortCommit\":\"abc1234\",\"Version\":\"v1\",\"ServerIP\":\"192.0.2.1\","
            "\"ServerPort\":443,\"ClientIP\":\"2001:db8::2\",\"ClientPort\":5555,"
            "\"StartTime\":\"2023-11-14T22:13:20.123456789Z\",\"EndTime\":\"2023-11-14T22:13:30Z\","
            "\"Upload\":{\"UUID\":\"host_123_00000000000000FF\","
            "\"StartTime\":\"2023-11-14T22:13:20.123456789Z\",\"EndTime\":\"2023-11-14T22:13:30Z\","
            "\"ServerMeasurements\":null,\"ClientMeasurements\":null}}");
  r.data.client_metadata = {{"client_name", "x"}};
  r.data.server_metadata = {{"type", "physical"}};
  const std::string json = ResultToJson(r);
  EXPECT_NE(json.find("\"ClientMetadata\":[{\"Name\":\"client_name\",\"Value\":\"x\"}],"
                      "\"ServerMetadata\":[{\"Name\":\"type\",\"Value\":\"physical\"}]}}"),
            std::string::npos);
}

// As upstream's Go 1.25 build writes them (a client_name of "%08%0C<" from the query).
TEST(Result, EscapesClientMetadataAsUpstreamsGo) {
  Ndt7Result r = SampleResult();
  r.data.client_metadata = {{"client_name", "\b\f<\x01"}};
  EXPECT_NE(ResultToJson(r).find("{\"Name\":\"client_name\",\"Value\":\"\\b\\f\\u003c\\u0001\"}"),
            std::string::npos)
      << ResultToJson(r);
}

TEST(ResultWriter, WritesGzipLevelOneUnderTheDateDirectory) {
  testing::TempDir dir;
  ResultWriter writer(dir.path(), /*compress=*/true);
  ASSERT_TRUE(writer.Init().ok());
  Ndt7Result r = SampleResult();
  const absl::Time now = absl::FromUnixNanos(1700000010606388371);
  absl::StatusOr<std::string> path = writer.Write(r, now);
  ASSERT_TRUE(path.ok()) << path.status();
  EXPECT_EQ(*path, dir.path() + "/ndt7/2023/11/14/ndt7-upload-20231114T221330.606388371Z." +
                       "host_123_00000000000000FF.json.gz");
  const std::string gz = ReadFile(*path);
  ASSERT_GT(gz.size(), 10u);
  EXPECT_EQ(static_cast<unsigned char>(gz[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(gz[1]), 0x8b);
  EXPECT_EQ(static_cast<unsigned char>(gz[8]), 4);  // XFL 4: fastest compression (level 1)
  EXPECT_EQ(Gunzip(gz), ResultToJson(r));
  // Same name again (same UUID and nanosecond): never overwritten.
  EXPECT_FALSE(writer.Write(r, now).ok());

  ResultWriter plain(dir.path(), /*compress=*/false);
  path = plain.Write(r, now + absl::Nanoseconds(1));
  ASSERT_TRUE(path.ok());
  EXPECT_TRUE(std::regex_match(
      *path, std::regex(".*/ndt7/2023/11/14/ndt7-upload-20231114T221330\\.606388372Z\\."
                        "host_123_00000000000000FF\\.json")));
  EXPECT_EQ(ReadFile(*path), ResultToJson(r));
}

}  // namespace
}  // namespace mlab::ndt7
