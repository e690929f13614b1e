// Flags: upstream's names and defaults, both spellings of the renamed ones, and the environment.
#include "services/traceroute-caller/service_flags.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "lib/flags/flags.h"

namespace mlab::trc {
namespace {

absl::StatusOr<ServiceOptions> Parse(const std::vector<std::string>& args,
                                     std::map<std::string, std::string> env = {}) {
  flags::ResetAllForTest();
  auto parsed =
      flags::ParseArgs(args, [env](const std::string& name) -> std::optional<std::string> {
        auto it = env.find(name);
        if (it == env.end()) return std::nullopt;
        return it->second;
      });
  if (!parsed.ok()) return parsed.status();
  return OptionsFromFlags();
}

TEST(ServiceFlagsTest, DefaultsAreUpstreams) {
  auto o = Parse({});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->scamper.binary, "/usr/bin/scamper");
  EXPECT_EQ(o->scamper.timeout, absl::Seconds(900));
  EXPECT_EQ(o->scamper.trace_type, TraceType::kMda);
  EXPECT_EQ(o->scamper.wait_probe, 25);
  EXPECT_TRUE(o->scamper.ptr);
  EXPECT_EQ(o->format, OutputFormat::kJsonl);
  EXPECT_EQ(o->traceroute_output, "/var/spool/scamper1");
  EXPECT_EQ(o->hopannotation_output, "/var/spool/hopannotation1");
  EXPECT_EQ(o->ip_cache_timeout, absl::Minutes(10));
  EXPECT_EQ(o->ip_cache_update_period, absl::Minutes(1));
  EXPECT_EQ(o->anonymize, IpAnonymizer::Method::kNone);
  EXPECT_EQ(o->eventsocket, "");
}

TEST(ServiceFlagsTest, ProductionArgumentsOfV0113) {
  // K8S templates.jsonnet for traceroute-caller v0.11.3.
  auto o = Parse({"-traceroute-output=/var/spool/ndt/scamper1",
                  "-tcpinfo.eventsocket=/var/local/tcpinfoeventsocket/tcpevents.sock",
                  "-IPCacheTimeout=10m", "-IPCacheUpdatePeriod=1m", "-scamper.timeout=30m",
                  "-scamper.tracelb-W=15", "-hopannotation-output=/var/spool/ndt/hopannotation2",
                  "-ipservice.sock=/var/local/uuidannotatorsocket/annotator.sock",
                  "-anonymize.ip=netblock"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->scamper.wait_probe, 15);
  EXPECT_EQ(o->scamper.timeout, absl::Minutes(30));
  EXPECT_EQ(o->anonymize, IpAnonymizer::Method::kNetblock);
  EXPECT_EQ(o->hopannotation_output, "/var/spool/ndt/hopannotation2");
}

TEST(ServiceFlagsTest, EitherSpellingButNotTwoValues) {
  EXPECT_EQ(Parse({"-scamper.waitprobe=30"})->scamper.wait_probe, 30);
  EXPECT_EQ(Parse({"-scamper.tracelb-W=40"})->scamper.wait_probe, 40);
  EXPECT_EQ(Parse({"-scamper.waitprobe=40", "-scamper.tracelb-W=40"})->scamper.wait_probe, 40);
  EXPECT_FALSE(Parse({"-scamper.waitprobe=30", "-scamper.tracelb-W=40"}).ok());
  EXPECT_FALSE(Parse({"-scamper.ptr=false"})->scamper.ptr);
  EXPECT_FALSE(Parse({"-scamper.tracelb-ptr=false"})->scamper.ptr);
  EXPECT_FALSE(Parse({"-scamper.ptr=true", "-scamper.tracelb-ptr=false"}).ok());
}

TEST(ServiceFlagsTest, EnvironmentFeedsFlagsAndTheCommandLineWins) {
  auto o = Parse({"-scamper.trace-type=regular"}, {{"SCAMPER_TRACELB_W", "17"},
                                                   {"SCAMPER_TRACE_TYPE", "mda"},
                                                   {"OUTPUT_FORMAT", "json"},
                                                   {"IPCACHETIMEOUT", "5m"}});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->scamper.wait_probe, 17);
  EXPECT_EQ(o->scamper.trace_type, TraceType::kRegular);
  EXPECT_EQ(o->format, OutputFormat::kJson);
  EXPECT_EQ(o->ip_cache_timeout, absl::Minutes(5));
}

TEST(ServiceFlagsTest, EnumsRejectUnknownValues) {
  EXPECT_FALSE(Parse({"-scamper.trace-type=paris"}).ok());
  EXPECT_FALSE(Parse({"-output.format=csv"}).ok());
  EXPECT_FALSE(Parse({"-anonymize.ip=sometimes"}).ok());
}

}  // namespace
}  // namespace mlab::trc
