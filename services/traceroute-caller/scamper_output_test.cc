// The archive bytes of every trace must equal what upstream traceroute-caller v0.12.0 writes for
// the same scamper output (goldens produced by upstream's parser, see testdata/README.md), and the
// parser must accept and reject exactly what upstream's (and ETL's) does.
#include <fstream>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/traceroute-caller/ip_address.h"
#include "services/traceroute-caller/ip_anonymizer.h"
#include "services/traceroute-caller/parsed_trace.h"

namespace mlab::trc {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kUpstream[] = "external/shared_testdata/traceroute-caller/parser/testdata/";
constexpr char kLocal[] = "services/traceroute-caller/testdata/";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct GoldenCase {
  std::string input;
  TraceType type;
  OutputFormat format;
  IpAnonymizer::Method method;
  std::string golden;
};

class GoldenTest : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(GoldenTest, MatchesUpstreamBytes) {
  const GoldenCase& c = GetParam();
  auto parsed = ParseTrace(c.type, ReadFile(c.input));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  (*parsed)->Anonymize(IpAnonymizer(c.method, {}));
  auto out = (*parsed)->Marshal(c.format);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, ReadFile(std::string(kLocal) + "golden/" + c.golden));
}

constexpr auto kMda = TraceType::kMda;
constexpr auto kRegular = TraceType::kRegular;
constexpr auto kJsonl = OutputFormat::kJsonl;
constexpr auto kJson = OutputFormat::kJson;
constexpr auto kNone = IpAnonymizer::Method::kNone;
constexpr auto kNetblock = IpAnonymizer::Method::kNetblock;

INSTANTIATE_TEST_SUITE_P(
    Upstream, GoldenTest,
    ::testing::Values(GoldenCase{std::string(kLocal) + "netns_mda.jsonl", kMda, kJsonl, kNetblock,
                                 "netns_mda.netblock.jsonl"},
                      GoldenCase{std::string(kLocal) + "netns_mda.jsonl", kMda, kJsonl, kNone,
                                 "netns_mda.none.jsonl"},
                      GoldenCase{std::string(kLocal) + "netns_regular.jsonl", kRegular, kJson,
                                 kNone, "netns_regular.none.json"},
                      GoldenCase{std::string(kLocal) + "netns_regular.jsonl", kRegular, kJsonl,
                                 kNetblock, "netns_regular.netblock.jsonl"},
                      GoldenCase{std::string(kLocal) + "edge_mda.jsonl", kMda, kJsonl, kNetblock,
                                 "edge_mda.netblock.jsonl"},
                      GoldenCase{std::string(kLocal) + "edge_mda.jsonl", kMda, kJsonl, kNone,
                                 "edge_mda.none.jsonl"},
                      GoldenCase{std::string(kUpstream) + "scamper1/valid-simple", kMda, kJsonl,
                                 kNone, "scamper1-valid-simple.none.jsonl"},
                      GoldenCase{std::string(kUpstream) + "scamper1/valid-star", kMda, kJsonl,
                                 kNone, "scamper1-valid-star.none.jsonl"},
                      GoldenCase{std::string(kUpstream) + "scamper1/valid-complex", kMda, kJsonl,
                                 kNone, "scamper1-valid-complex.none.jsonl"},
                      GoldenCase{std::string(kUpstream) + "scamper1/valid-complex-dst-in-hops-v4",
                                 kMda, kJsonl, kNetblock, "scamper1-dst-in-hops-v4.netblock.jsonl"},
                      GoldenCase{std::string(kUpstream) + "scamper1/valid-complex-dst-in-hops-v6",
                                 kMda, kJsonl, kNetblock, "scamper1-dst-in-hops-v6.netblock.jsonl"},
                      GoldenCase{std::string(kUpstream) + "scamper2/valid-complex-dst-in-hops-v6",
                                 kRegular, kJson, kNetblock,
                                 "scamper2-dst-in-hops-v6.netblock.json"},
                      GoldenCase{std::string(kUpstream) + "scamper2/valid-star", kRegular, kJsonl,
                                 kNone, "scamper2-valid-star.none.jsonl"},
                      GoldenCase{std::string(kUpstream) + "scamper2/valid-complex-dst-in-hops-v4",
                                 kRegular, kJsonl, kNetblock,
                                 "scamper2-dst-in-hops-v4.netblock.jsonl"}));

TEST(Scamper2Test, JsonOutputOfRealUpstreamIsReproducedExactly) {
  // Written by upstream d72f985 itself: parsing and re-marshaling must give the same bytes.
  std::string file = ReadFile(std::string(kUpstream) + "scamper2/valid-simple-json");
  auto parsed = ParseTrace(kRegular, file);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  (*parsed)->Anonymize(IpAnonymizer(kNone, {}));
  EXPECT_EQ(*(*parsed)->Marshal(kJson), file);
}

struct RejectCase {
  std::string file;
  std::string error;
};

class Scamper1RejectTest : public ::testing::TestWithParam<RejectCase> {};

TEST_P(Scamper1RejectTest, FailsWithUpstreamError) {
  auto parsed = ParseTrace(kMda, ReadFile(std::string(kUpstream) + "scamper1/" + GetParam().file));
  ASSERT_FALSE(parsed.ok());
  EXPECT_THAT(parsed.status().message(), HasSubstr(GetParam().error));
}

INSTANTIATE_TEST_SUITE_P(
    Upstream, Scamper1RejectTest,
    ::testing::Values(RejectCase{"invalid-num-lines", "invalid traceroute file"},
                      RejectCase{"invalid-last-line", "invalid traceroute file"},
                      RejectCase{"invalid-metadata", "invalid metadata"},
                      RejectCase{"invalid-metadata-uuid", "invalid UUID (empty)"},
                      RejectCase{"invalid-cycle-start", "invalid cycle-start"},
                      RejectCase{"invalid-cycle-start-type", "invalid cycle-start type"},
                      RejectCase{"invalid-tracelb", "invalid tracelb line"},
                      RejectCase{"invalid-tracelb-type", "invalid traceroute type"},
                      RejectCase{"invalid-cycle-stop", "invalid cycle-stop"},
                      RejectCase{"invalid-cycle-stop-type", "invalid cycle-stop type"}));

class Scamper2RejectTest : public ::testing::TestWithParam<RejectCase> {};

TEST_P(Scamper2RejectTest, FailsWithUpstreamError) {
  auto parsed =
      ParseTrace(kRegular, ReadFile(std::string(kUpstream) + "scamper2/" + GetParam().file));
  ASSERT_FALSE(parsed.ok());
  EXPECT_THAT(parsed.status().message(), HasSubstr(GetParam().error));
}

INSTANTIATE_TEST_SUITE_P(
    Upstream, Scamper2RejectTest,
    ::testing::Values(RejectCase{"invalid-num-lines", "invalid traceroute file"},
                      RejectCase{"invalid-last-line", "invalid traceroute file"},
                      RejectCase{"invalid-metadata", "invalid metadata"},
                      RejectCase{"invalid-metadata-uuid", "invalid UUID (empty)"},
                      RejectCase{"invalid-cycle-start", "invalid cycle-start"},
                      RejectCase{"invalid-cycle-start-type", "invalid cycle-start type"},
                      RejectCase{"invalid-trace", "invalid trace line"},
                      RejectCase{"invalid-trace-type", "invalid traceroute type"},
                      RejectCase{"invalid-cycle-stop", "invalid cycle-stop"},
                      RejectCase{"invalid-cycle-stop-type", "invalid cycle-stop type"}));

TEST(Scamper1Test, AcceptsWhatUpstreamAcceptsAndExtractsHops) {
  // Upstream's own expectations (parser/scamper1_test.go).
  auto links =
      ParseTrace(kMda, ReadFile(std::string(kUpstream) + "scamper1/invalid-tracelb-links"));
  EXPECT_TRUE(links.ok()) << links.status();

  auto complex = ParseTrace(kMda, ReadFile(std::string(kUpstream) + "scamper1/valid-complex"));
  ASSERT_TRUE(complex.ok());
  EXPECT_THAT(
      (*complex)->ExtractHops(),
      ElementsAre("2001:4888:36:1002:3a2:1:0:1", "2001:4888:3f:6092:3a2:26:0:1",
                  "2001:550:1b01:1::1", "2001:550:3::1ca", "2600:803:150f::4a", "2600:803::79"));

  auto star = ParseTrace(kMda, ReadFile(std::string(kUpstream) + "scamper1/valid-star"));
  ASSERT_TRUE(star.ok());
  EXPECT_THAT((*star)->ExtractHops(), IsEmpty());

  auto simple = ParseTrace(kMda, ReadFile(std::string(kUpstream) + "scamper1/valid-simple"));
  ASSERT_TRUE(simple.ok());
  EXPECT_EQ((*simple)->StartTime(), absl::FromUnixSeconds(1566691298));
  EXPECT_EQ((*simple)->metadata().uuid, "0000000000");
}

TEST(Scamper1Test, EtlSampleParses) {
  auto parsed = ParseTrace(
      kMda, ReadFile("external/shared_testdata/etl/parser/testdata/Scamper1/valid.jsonl"));
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  auto bad = ParseTrace(
      kMda, ReadFile("external/shared_testdata/etl/parser/testdata/Scamper1/badformat.jsonl"));
  EXPECT_FALSE(bad.ok());
}

TEST(Scamper1Test, HopsAreExtractedAfterAnonymization) {
  auto parsed = ParseTrace(kMda, ReadFile(std::string(kLocal) + "netns_mda.jsonl"));
  ASSERT_TRUE(parsed.ok());
  EXPECT_THAT((*parsed)->ExtractHops(), ElementsAre("192.0.2.2", "198.51.100.1", "203.0.113.1"));
  (*parsed)->Anonymize(IpAnonymizer(kNetblock, {}));
  EXPECT_THAT((*parsed)->ExtractHops(), ElementsAre("192.0.2.0", "198.51.100.1", "203.0.113.1"));
}

TEST(Scamper1Test, LocalDestinationIsNotAnonymized) {
  auto parsed = ParseTrace(kMda, ReadFile(std::string(kLocal) + "netns_mda.jsonl"));
  ASSERT_TRUE(parsed.ok());
  (*parsed)->Anonymize(IpAnonymizer(kNetblock, {*IpAddress::Parse("192.0.2.2")}));
  EXPECT_THAT((*parsed)->ExtractHops(), ElementsAre("192.0.2.2", "198.51.100.1", "203.0.113.1"));
}

TEST(Scamper1Test, MdaHasNoJsonFormat) {
  auto parsed = ParseTrace(kMda, ReadFile(std::string(kLocal) + "netns_mda.jsonl"));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ((*parsed)->Marshal(kJson).status().code(), absl::StatusCode::kUnimplemented);
}

TEST(Scamper1Test, RejectsGoTypeMismatches) {
  std::string good = ReadFile(std::string(kLocal) + "netns_mda.jsonl");
  ASSERT_TRUE(ParseTrace(kMda, good).ok());
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"\"q_ttl\":1", "\"q_ttl\":1.0"},
           {"\"q_ttl\":1", "\"q_ttl\":\"1\""},
           {"\"q_ttl\":1", "\"q_ttl\":1e0"},
           {"\"flowid\":1", "\"flowid\":18446744073709551615"},
           {"\"probec\":8", "\"probec\":true"},
           {"\"nodes\":[", "\"nodes\":{\"a\":["},
           {"\"CachedResult\":false", "\"CachedResult\":0"},
       }) {
    std::string bad = good;
    size_t at = bad.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    bad.replace(at, from.size(), to);
    EXPECT_FALSE(ParseTrace(kMda, bad).ok()) << to;
  }
}

TEST(IpAddressTest, ParsesAndPrintsAsGo) {
  EXPECT_EQ(IpAddress::Parse("::ffff:1.47.236.62")->ToString(), "1.47.236.62");
  EXPECT_EQ(IpAddress::Parse("2001:DB8:0:0:1:0:0:1")->ToString(), "2001:db8::1:0:0:1");
  EXPECT_EQ(IpAddress::Parse("2001:db8:0:0:1::")->ToString(), "2001:db8:0:0:1::");
  EXPECT_EQ(IpAddress::Parse("::")->ToString(), "::");
  EXPECT_EQ(IpAddress::Parse("::1.2.3.4")->ToString(), "::102:304");
  EXPECT_EQ(IpAddress::Parse("2001:db8:1:0:1:1:1:1")->ToString(), "2001:db8:1:0:1:1:1:1");
  EXPECT_FALSE(IpAddress::Parse("01.2.3.4").has_value());
  EXPECT_FALSE(IpAddress::Parse("*").has_value());
  EXPECT_FALSE(IpAddress::Parse("").has_value());
  EXPECT_FALSE(IpAddress::Parse("fe80::1%eth0").has_value());
}

TEST(IpAnonymizerTest, NetblockZeroesHostPartExceptLocal) {
  IpAnonymizer anonymizer(kNetblock, {*IpAddress::Parse("192.0.2.9")});
  IpAddress v4 = *IpAddress::Parse("4.4.4.4");
  anonymizer.Anonymize(&v4);
  EXPECT_EQ(v4.ToString(), "4.4.4.0");
  IpAddress v6 = *IpAddress::Parse("2006:4:4:4::4");
  anonymizer.Anonymize(&v6);
  EXPECT_EQ(v6.ToString(), "2006:4:4::");
  IpAddress local = *IpAddress::Parse("192.0.2.9");
  anonymizer.Anonymize(&local);
  EXPECT_EQ(local.ToString(), "192.0.2.9");
  EXPECT_TRUE(anonymizer.Contains(IpAddress::Parse("4.4.4.0"), IpAddress::Parse("4.4.4.2")));
  EXPECT_FALSE(anonymizer.Contains(IpAddress::Parse("4.4.4.0"), IpAddress::Parse("4.4.5.2")));
  EXPECT_FALSE(anonymizer.Contains(IpAddress::Parse("192.0.2.9"), IpAddress::Parse("192.0.2.8")));
  EXPECT_FALSE(anonymizer.Contains(std::nullopt, std::nullopt));
  EXPECT_FALSE(IpAnonymizer::ParseMethod("sometimes").ok());
}

TEST(IpAnonymizerTest, RewritesDestinationAndTheHopsThatGoWithIt) {
  IpAnonymizer netblock(kNetblock, {});
  std::string dst = "4.4.4.4";
  std::optional<IpAddress> parsed = netblock.AnonymizeDestination(&dst);
  EXPECT_EQ(dst, "4.4.4.0");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->ToString(), "4.4.4.0");
  std::string same_block = "4.4.4.7", other = "4.4.5.7", bad = "*";
  netblock.AnonymizeHop(parsed, &same_block);
  netblock.AnonymizeHop(parsed, &other);
  netblock.AnonymizeHop(parsed, &bad);
  EXPECT_EQ(same_block, "4.4.4.0");
  EXPECT_EQ(other, "4.4.5.7");
  EXPECT_EQ(bad, "*");

  // Unparsable destinations print as Go's nil IP; under "none" so do unparsable hops with them.
  IpAnonymizer none(kNone, {});
  std::string garbage = "not-an-ip", hop = "also-not";
  EXPECT_FALSE(none.AnonymizeDestination(&garbage).has_value());
  EXPECT_EQ(garbage, "<nil>");
  none.AnonymizeHop(std::nullopt, &hop);
  EXPECT_EQ(hop, "<nil>");
}

}  // namespace
}  // namespace mlab::trc
