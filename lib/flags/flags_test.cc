#include "lib/flags/flags.h"

#include <stdlib.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/temp_dir.h"

namespace {

// Declared as services declare theirs, with the spellings M-Lab's manifests use.
mlab::flags::Flag<std::string> FLAGS_abc("a.b-c", "default-abc", "A name with dots and dashes.");
mlab::flags::Flag<bool> FLAGS_verbose("verbose", false, "Log more.");
mlab::flags::Flag<bool> FLAGS_compress("compress-results", true, "Gzip results.");
mlab::flags::Flag<int64_t> FLAGS_count("count", 0, "How many.");
mlab::flags::Flag<int> FLAGS_tracelb("scamper.tracelb-W", 15, "Wait between probes.");
mlab::flags::Flag<uint64_t> FLAGS_max("max", 0, "Upper bound.");
mlab::flags::Flag<double> FLAGS_ratio("ratio", 0.5, "A fraction.");
mlab::flags::Flag<absl::Duration> FLAGS_period("period", absl::Seconds(10), "Poll period.");
mlab::flags::Flag<mlab::flags::ByteCount> FLAGS_threshold(
    "archive_size_threshold", mlab::flags::ByteCount(20 * mlab::flags::ByteCount::kMegabyte),
    "Upload once this big.");
mlab::flags::Flag<std::string> FLAGS_listen("prometheusx.listen-address", ":9990",
                                            "Metrics address.");
mlab::flags::Flag<std::string> FLAGS_eventsocket("tcpinfo.eventsocket", "",
                                                 "Event socket path.\nEmpty disables it.");
mlab::flags::Flag<mlab::flags::StringList> FLAGS_exclude("exclude-srcport", {}, "Ports to skip.");
mlab::flags::Flag<mlab::flags::KeyValues> FLAGS_label("label", {}, "Server labels.");
mlab::flags::Flag<mlab::flags::FileBytes> FLAGS_prefix("uuid-prefix-file", {}, "UUID prefix.");
mlab::flags::Flag<mlab::flags::FileBytesList> FLAGS_verify_key("token.verify-key", {},
                                                               "JWK public keys.");
mlab::flags::Flag<mlab::flags::StringFile> FLAGS_hostname("hostname", {}, "Host name or @file.");
mlab::flags::Flag<mlab::flags::Enum> FLAGS_trace_type("scamper.trace-type",
                                                      mlab::flags::Enum("mda", {"mda", "regular"}),
                                                      "Trace type.");

}  // namespace

namespace mlab::flags {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

EnvLookup NoEnv() { return FakeEnv({}); }

class FlagsTest : public ::testing::Test {
 protected:
  void SetUp() override { ResetAllForTest(); }
  void TearDown() override { ResetAllForTest(); }
};

TEST_F(FlagsTest, DefaultsBeforeParse) {
  EXPECT_EQ(*FLAGS_abc, "default-abc");
  EXPECT_FALSE(FLAGS_abc.was_set());
  EXPECT_EQ(FLAGS_period.Get(), absl::Seconds(10));
  EXPECT_EQ(FLAGS_threshold->bytes(), 20000000);
  EXPECT_EQ(FLAGS_abc.name(), "a.b-c");
  EXPECT_EQ(FLAGS_abc.help(), "A name with dots and dashes.");
  EXPECT_EQ(FindFlag("a.b-c"), &FLAGS_abc);
  EXPECT_EQ(FindFlag("nope"), nullptr);
}

TEST_F(FlagsTest, EverySpellingSetsTheSameFlag) {
  const std::vector<std::vector<std::string>> spellings = {
      {"-a.b-c=x"}, {"--a.b-c=x"}, {"-a.b-c", "x"}, {"--a.b-c", "x"}};
  for (const auto& args : spellings) {
    ResetAllForTest();
    absl::StatusOr<std::vector<std::string>> positional = ParseArgs(args, NoEnv());
    ASSERT_TRUE(positional.ok()) << args[0] << ": " << positional.status();
    EXPECT_THAT(*positional, IsEmpty());
    EXPECT_EQ(*FLAGS_abc, "x") << args[0];
    EXPECT_TRUE(FLAGS_abc.was_set());
  }
  ResetAllForTest();
  ASSERT_TRUE(ParseArgs({}, FakeEnv({{"A_B_C", "x"}})).ok());
  EXPECT_EQ(*FLAGS_abc, "x");
  EXPECT_TRUE(FLAGS_abc.was_set());
}

TEST_F(FlagsTest, EnvNames) {
  EXPECT_EQ(EnvName("a.b-c"), "A_B_C");
  EXPECT_EQ(EnvName("tcpinfo.eventsocket"), "TCPINFO_EVENTSOCKET");
  EXPECT_EQ(EnvName("prometheusx.listen-address"), "PROMETHEUSX_LISTEN_ADDRESS");
  EXPECT_EQ(EnvName("archive_size_threshold"), "ARCHIVE_SIZE_THRESHOLD");
  EXPECT_EQ(EnvName("scamper.tracelb-W"), "SCAMPER_TRACELB_W");
  EXPECT_EQ(EnvName("mlab_node_name"), "MLAB_NODE_NAME");
  EXPECT_EQ(EnvName("ndt7_addr"), "NDT7_ADDR");
}

TEST_F(FlagsTest, CommandLineWinsOverEnvironment) {
  ASSERT_TRUE(ParseArgs({"-a.b-c=cli"}, FakeEnv({{"A_B_C", "env"}, {"COUNT", "7"}})).ok());
  EXPECT_EQ(*FLAGS_abc, "cli");
  EXPECT_EQ(*FLAGS_count, 7);
}

TEST_F(FlagsTest, CommandLineWinsForRepeatableFlags) {
  ASSERT_TRUE(ParseArgs({"-label=a=1"}, FakeEnv({{"LABEL", "b=2"}})).ok());
  EXPECT_THAT(FLAGS_label->pairs(), ElementsAre(Pair("a", "1")));
}

TEST_F(FlagsTest, EnvironmentFillsEveryType) {
  testing::TempDir dir;
  std::string prefix = dir.WriteFile("prefix", "host_1234\n");
  std::string key = dir.WriteFile("key.pub", "{}");
  ASSERT_TRUE(ParseArgs({}, FakeEnv({
                                {"VERBOSE", "true"},
                                {"COMPRESS_RESULTS", "false"},
                                {"SCAMPER_TRACELB_W", "0x10"},
                                {"RATIO", "0.25"},
                                {"PERIOD", "1m30s"},
                                {"ARCHIVE_SIZE_THRESHOLD", "50MB"},
                                {"TCPINFO_EVENTSOCKET", "/var/local/events.sock"},
                                {"PROMETHEUSX_LISTEN_ADDRESS", "127.0.0.1:9991"},
                                {"EXCLUDE_SRCPORT", "22,9990"},
                                {"LABEL", "type=physical,org=mlab"},
                                {"UUID_PREFIX_FILE", prefix},
                                {"TOKEN_VERIFY_KEY", key},
                                {"HOSTNAME", "mlab1-lga03"},
                                {"SCAMPER_TRACE_TYPE", "regular"},
                                {"UNRELATED", "ignored"},
                            }))
                  .ok());
  EXPECT_TRUE(*FLAGS_verbose);
  EXPECT_FALSE(*FLAGS_compress);
  EXPECT_EQ(*FLAGS_tracelb, 16);
  EXPECT_EQ(*FLAGS_ratio, 0.25);
  EXPECT_EQ(*FLAGS_period, absl::Seconds(90));
  EXPECT_EQ(FLAGS_threshold->bytes(), 50000000);
  EXPECT_EQ(*FLAGS_eventsocket, "/var/local/events.sock");
  EXPECT_EQ(*FLAGS_listen, "127.0.0.1:9991");
  EXPECT_THAT(*FLAGS_exclude, ElementsAre("22", "9990"));
  EXPECT_THAT(FLAGS_label->pairs(), ElementsAre(Pair("type", "physical"), Pair("org", "mlab")));
  EXPECT_EQ(FLAGS_prefix->content(), "host_1234\n");
  ASSERT_EQ(FLAGS_verify_key->size(), 1u);
  EXPECT_EQ((*FLAGS_verify_key)[0].content(), "{}");
  EXPECT_EQ(FLAGS_hostname->value(), "mlab1-lga03");
  EXPECT_EQ(*FLAGS_trace_type, "regular");
  EXPECT_EQ(*FLAGS_abc, "default-abc");
  EXPECT_FALSE(FLAGS_abc.was_set());
}

TEST_F(FlagsTest, EmptyEnvironmentVariableIsAValue) {
  ASSERT_TRUE(ParseArgs({}, FakeEnv({{"PROMETHEUSX_LISTEN_ADDRESS", ""}})).ok());
  EXPECT_EQ(*FLAGS_listen, "");
  ResetAllForTest();
  absl::StatusOr<std::vector<std::string>> result = ParseArgs({}, FakeEnv({{"COUNT", ""}}));
  EXPECT_FALSE(result.ok());
}

TEST_F(FlagsTest, BadEnvironmentValueNamesTheVariable) {
  absl::StatusOr<std::vector<std::string>> result =
      ParseArgs({}, FakeEnv({{"ARCHIVE_SIZE_THRESHOLD", "5MiB"}, {"PERIOD", "10"}}));
  ASSERT_FALSE(result.ok());
  std::string message(result.status().message());
  EXPECT_THAT(message, HasSubstr("environment variable ARCHIVE_SIZE_THRESHOLD"));
  EXPECT_THAT(message, HasSubstr("\"5MiB\""));
  EXPECT_THAT(message, HasSubstr("environment variable PERIOD"));
  EXPECT_THAT(message, HasSubstr("missing unit"));
}

TEST_F(FlagsTest, BadEnvironmentValueIsIgnoredWhenCommandLineSetsTheFlag) {
  EXPECT_TRUE(ParseArgs({"-count=3"}, FakeEnv({{"COUNT", "not-a-number"}})).ok());
  EXPECT_EQ(*FLAGS_count, 3);
}

TEST_F(FlagsTest, RealProcessEnvironment) {
  ASSERT_EQ(setenv("A_B_C", "from-getenv", 1), 0);
  ASSERT_EQ(setenv("COUNT", "42", 1), 0);
  std::vector<std::string> args = {"prog", "-count=5", "positional"};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  absl::StatusOr<std::vector<std::string>> positional = Parse(3, argv.data());
  unsetenv("A_B_C");
  unsetenv("COUNT");
  ASSERT_TRUE(positional.ok()) << positional.status();
  EXPECT_THAT(*positional, ElementsAre("positional"));
  EXPECT_EQ(*FLAGS_abc, "from-getenv");
  EXPECT_EQ(*FLAGS_count, 5);
}

TEST_F(FlagsTest, BoolFlagNeverConsumesNextArgument) {
  absl::StatusOr<std::vector<std::string>> positional =
      ParseArgs({"-verbose", "false", "-count=1"}, NoEnv());
  ASSERT_TRUE(positional.ok()) << positional.status();
  EXPECT_TRUE(*FLAGS_verbose);
  EXPECT_THAT(*positional, ElementsAre("false", "-count=1"));
  EXPECT_EQ(*FLAGS_count, 0);

  ResetAllForTest();
  ASSERT_TRUE(ParseArgs({"--verbose", "-count", "2"}, NoEnv()).ok());
  EXPECT_TRUE(*FLAGS_verbose);
  EXPECT_EQ(*FLAGS_count, 2);
}

TEST_F(FlagsTest, BoolFlagWithExplicitValue) {
  ASSERT_TRUE(ParseArgs({"-compress-results=false", "-verbose=1"}, NoEnv()).ok());
  EXPECT_FALSE(*FLAGS_compress);
  EXPECT_TRUE(*FLAGS_verbose);
  ResetAllForTest();
  ASSERT_TRUE(ParseArgs({"--compress-results=F"}, NoEnv()).ok());
  EXPECT_FALSE(*FLAGS_compress);

  absl::StatusOr<std::vector<std::string>> bad = ParseArgs({"-verbose=yes"}, NoEnv());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "invalid boolean value \"yes\" for -verbose: parse error");
  EXPECT_FALSE(ParseArgs({"-verbose="}, NoEnv()).ok());
}

TEST_F(FlagsTest, NonBoolFlagTakesNextArgumentEvenWithDash) {
  ASSERT_TRUE(ParseArgs({"-a.b-c", "-verbose"}, NoEnv()).ok());
  EXPECT_EQ(*FLAGS_abc, "-verbose");
  EXPECT_FALSE(*FLAGS_verbose);
  ResetAllForTest();
  ASSERT_TRUE(ParseArgs({"-count", "-5", "-a.b-c="}, NoEnv()).ok());
  EXPECT_EQ(*FLAGS_count, -5);
  EXPECT_EQ(*FLAGS_abc, "");
  EXPECT_TRUE(FLAGS_abc.was_set());
}

TEST_F(FlagsTest, ValueMayContainEquals) {
  ASSERT_TRUE(ParseArgs({"-label=type=physical", "-a.b-c=k=v"}, NoEnv()).ok());
  EXPECT_THAT(FLAGS_label->pairs(), ElementsAre(Pair("type", "physical")));
  EXPECT_EQ(*FLAGS_abc, "k=v");
}

TEST_F(FlagsTest, UndefinedFlag) {
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"-x"}, {"--x"}, {"-x=1"}, {"-count=1", "--x", "v"}}) {
    absl::StatusOr<std::vector<std::string>> result = ParseArgs(args, NoEnv());
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().message(), "flag provided but not defined: -x");
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  }
}

TEST_F(FlagsTest, MissingValue) {
  absl::StatusOr<std::vector<std::string>> result = ParseArgs({"-count"}, NoEnv());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(), "flag needs an argument: -count");
  EXPECT_FALSE(ParseArgs({"-verbose", "--a.b-c"}, NoEnv()).ok());
}

TEST_F(FlagsTest, InvalidValues) {
  absl::StatusOr<std::vector<std::string>> result = ParseArgs({"-count=abc"}, NoEnv());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(), "invalid value \"abc\" for flag -count: parse error");
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"-archive_size_threshold=5MiB"},
                                             {"-archive_size_threshold", "MB"},
                                             {"-archive_size_threshold=-1"},
                                             {"-period=10"},
                                             {"-period=ms"},
                                             {"-max=-1"},
                                             {"-ratio=half"},
                                             {"-scamper.tracelb-W=99999999999"},
                                             {"-scamper.trace-type=paris"},
                                             {"-label=novalue"},
                                             {"-uuid-prefix-file=/nonexistent/prefix"},
                                             {"-token.verify-key=/nonexistent/key"},
                                             {"-hostname=@/nonexistent/hostname"}}) {
    EXPECT_FALSE(ParseArgs(args, NoEnv()).ok()) << args[0];
  }
}

TEST_F(FlagsTest, ValueTypesFromCommandLine) {
  testing::TempDir dir;
  std::string prefix = dir.WriteFile("prefix", "host_1234");
  std::string key_a = dir.WriteFile("a.pub", "A");
  std::string key_b = dir.WriteFile("b.pub", "B\n");
  std::string name = dir.WriteFile("name", "mlab1-lga03\n");
  absl::StatusOr<std::vector<std::string>> positional = ParseArgs(
      {"-archive_size_threshold=50MB", "-period", "300ms", "-max=0x10", "-ratio=1e-3",
       "-exclude-srcport=22", "-exclude-srcport", "80,443", "-label=a=1,b=2", "-label", "a=3",
       "-uuid-prefix-file=" + prefix, "-token.verify-key=" + key_a, "-token.verify-key=" + key_b,
       "-hostname=@" + name, "-scamper.trace-type=regular", "-scamper.tracelb-W=-7"},
      NoEnv());
  ASSERT_TRUE(positional.ok()) << positional.status();
  EXPECT_EQ(FLAGS_threshold->bytes(), 50000000);
  EXPECT_EQ(*FLAGS_period, absl::Milliseconds(300));
  EXPECT_EQ(*FLAGS_max, 16u);
  EXPECT_EQ(*FLAGS_ratio, 0.001);
  EXPECT_THAT(*FLAGS_exclude, ElementsAre("22", "80", "443"));
  EXPECT_THAT(FLAGS_label->pairs(), ElementsAre(Pair("a", "3"), Pair("b", "2")));
  EXPECT_EQ(FLAGS_prefix->content(), "host_1234");
  ASSERT_EQ(FLAGS_verify_key->size(), 2u);
  EXPECT_EQ((*FLAGS_verify_key)[1].content(), "B\n");
  EXPECT_EQ(FLAGS_hostname->value(), "mlab1-lga03\n");
  EXPECT_EQ(*FLAGS_trace_type, "regular");
  EXPECT_EQ(*FLAGS_tracelb, -7);
}

TEST_F(FlagsTest, PositionalAfterDoubleDash) {
  absl::StatusOr<std::vector<std::string>> positional =
      ParseArgs({"-count=1", "--", "-verbose", "x", "--"}, NoEnv());
  ASSERT_TRUE(positional.ok());
  EXPECT_THAT(*positional, ElementsAre("-verbose", "x", "--"));
  EXPECT_EQ(*FLAGS_count, 1);
  EXPECT_FALSE(*FLAGS_verbose);
}

TEST_F(FlagsTest, PositionalAfterFirstNonFlag) {
  absl::StatusOr<std::vector<std::string>> positional =
      ParseArgs({"-count", "2", "file.json", "-verbose", "--", "-x"}, NoEnv());
  ASSERT_TRUE(positional.ok());
  EXPECT_THAT(*positional, ElementsAre("file.json", "-verbose", "--", "-x"));
  EXPECT_EQ(*FLAGS_count, 2);
  EXPECT_FALSE(*FLAGS_verbose);

  ResetAllForTest();
  positional = ParseArgs({"-verbose", "-", "-count=3"}, NoEnv());
  ASSERT_TRUE(positional.ok());
  EXPECT_THAT(*positional, ElementsAre("-", "-count=3"));
  EXPECT_EQ(*FLAGS_count, 0);

  ResetAllForTest();
  positional = ParseArgs({"", "-verbose"}, NoEnv());
  ASSERT_TRUE(positional.ok());
  EXPECT_THAT(*positional, ElementsAre("", "-verbose"));
}

TEST_F(FlagsTest, BadFlagSyntax) {
  for (const char* arg : {"---count=1", "-=1", "--=1", "-=", "---"}) {
    absl::StatusOr<std::vector<std::string>> result = ParseArgs({arg}, NoEnv());
    ASSERT_FALSE(result.ok()) << arg;
    EXPECT_EQ(result.status().message(), std::string("bad flag syntax: ") + arg);
  }
}

TEST_F(FlagsTest, HelpRequest) {
  for (const char* arg : {"-h", "-help", "--help", "--h", "-help=false"}) {
    absl::StatusOr<std::vector<std::string>> result = ParseArgs({"-count=1", arg, "x"}, NoEnv());
    ASSERT_FALSE(result.ok()) << arg;
    EXPECT_TRUE(IsHelpRequest(result.status())) << arg;
  }
  EXPECT_FALSE(IsHelpRequest(absl::CancelledError("other")));
  EXPECT_FALSE(IsHelpRequest(absl::OkStatus()));
}

TEST_F(FlagsTest, AHelpFlagWhenRegisteredIsJustAFlag) {
  Flag<bool> help("help", false, "Custom help.");
  ASSERT_TRUE(ParseArgs({"-help"}, NoEnv()).ok());
  EXPECT_TRUE(*help);
}

TEST_F(FlagsTest, UsageListsEveryFlagSortedWithDefaultsAndEnv) {
  std::string usage = Usage("tcp-info", "Collects TCP_INFO for every socket.");
  EXPECT_THAT(usage, HasSubstr("Collects TCP_INFO for every socket.\n\nUsage: tcp-info"));
  std::vector<size_t> positions;
  for (FlagBase* flag : AllFlags()) {
    size_t pos = usage.find("\n  -" + flag->name() + (flag->IsBool() ? "\n" : " "));
    ASSERT_NE(pos, std::string::npos) << flag->name();
    positions.push_back(pos);
    EXPECT_THAT(usage, HasSubstr("env " + EnvName(flag->name()) + ")")) << flag->name();
  }
  EXPECT_TRUE(std::is_sorted(positions.begin(), positions.end()));
  EXPECT_GE(positions.size(), 17u);

  EXPECT_THAT(usage, HasSubstr("  -a.b-c string\n    \tA name with dots and dashes. "
                               "(default \"default-abc\"; env A_B_C)\n"));
  EXPECT_THAT(usage, HasSubstr("  -verbose\n    \tLog more. (env VERBOSE)\n"));
  EXPECT_THAT(usage, HasSubstr("  -compress-results\n    \tGzip results. "
                               "(default true; env COMPRESS_RESULTS)\n"));
  EXPECT_THAT(usage, HasSubstr("  -count int\n    \tHow many. (env COUNT)\n"));
  EXPECT_THAT(usage, HasSubstr("  -archive_size_threshold bytes\n    \tUpload once this big. "
                               "(default 20MB; env ARCHIVE_SIZE_THRESHOLD)\n"));
  EXPECT_THAT(usage, HasSubstr("  -period duration\n    \tPoll period. "
                               "(default 10s; env PERIOD)\n"));
  EXPECT_THAT(usage, HasSubstr("  -ratio float\n    \tA fraction. (default 0.5; env RATIO)\n"));
  EXPECT_THAT(usage, HasSubstr("  -tcpinfo.eventsocket string\n    \tEvent socket path.\n"
                               "    \tEmpty disables it. (env TCPINFO_EVENTSOCKET)\n"));
  EXPECT_THAT(usage, HasSubstr("  -scamper.trace-type mda|regular\n    \tTrace type. "
                               "(default mda; env SCAMPER_TRACE_TYPE)\n"));
  EXPECT_THAT(usage, HasSubstr("  -scamper.tracelb-W int\n    \tWait between probes. "
                               "(default 15; env SCAMPER_TRACELB_W)\n"));
  EXPECT_THAT(usage, HasSubstr("  -label key=value\n    \tServer labels. (env LABEL)\n"));
  EXPECT_THAT(usage, HasSubstr("  -prometheusx.listen-address string\n    \tMetrics address. "
                               "(default \":9990\"; env PROMETHEUSX_LISTEN_ADDRESS)\n"));
}

TEST_F(FlagsTest, UsageShowsDefaultsNotCurrentValues) {
  FLAGS_count.SetForTest(99);
  EXPECT_THAT(Usage("p", ""), HasSubstr("  -count int\n    \tHow many. (env COUNT)\n"));
}

TEST_F(FlagsTest, SetForTestAndReset) {
  FLAGS_abc.SetForTest("test");
  FLAGS_period.SetForTest(absl::Minutes(1));
  EXPECT_EQ(*FLAGS_abc, "test");
  EXPECT_TRUE(FLAGS_abc.was_set());
  EXPECT_EQ(FLAGS_period.CurrentText(), "1m0s");
  EXPECT_EQ(FLAGS_period.DefaultText(), "10s");
  ResetAllForTest();
  EXPECT_EQ(*FLAGS_abc, "default-abc");
  EXPECT_FALSE(FLAGS_abc.was_set());
  EXPECT_EQ(*FLAGS_period, absl::Seconds(10));
}

TEST_F(FlagsTest, FailedSetKeepsValue) {
  ASSERT_TRUE(ParseArgs({"-count=4"}, NoEnv()).ok());
  EXPECT_FALSE(FLAGS_count.Set("x").ok());
  EXPECT_EQ(*FLAGS_count, 4);
}

TEST_F(FlagsTest, LocalFlagsUnregisterOnDestruction) {
  {
    Flag<std::string> local("local.only", "", "");
    EXPECT_EQ(FindFlag("local.only"), &local);
  }
  EXPECT_EQ(FindFlag("local.only"), nullptr);
  Flag<std::string> again("local.only", "", "");  // the name is free again
  EXPECT_EQ(FindFlag("local.only"), &again);
}

TEST(FlagsDeathTest, DuplicateNameAborts) {
  EXPECT_DEATH({ Flag<int64_t> duplicate("count", 0, ""); }, "flag redefined: count");
}

TEST(FlagsDeathTest, BadNameAborts) {
  EXPECT_DEATH({ Flag<int64_t> bad("-count", 0, ""); }, "bad flag name");
  EXPECT_DEATH({ Flag<int64_t> bad("a=b", 0, ""); }, "bad flag name");
  EXPECT_DEATH({ Flag<int64_t> bad("", 0, ""); }, "bad flag name");
}

std::vector<char*> Argv(std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  return argv;
}

TEST(ParseOrExitDeathTest, HelpExitsZeroAndErrorsExitTwo) {
  std::vector<std::string> help = {"/usr/bin/tcp-info", "-help"};
  EXPECT_EXIT(ParseOrExit(2, Argv(help).data(), "desc"), ::testing::ExitedWithCode(0), "");
  std::vector<std::string> bad = {"/usr/bin/tcp-info", "-nope"};
  EXPECT_EXIT(ParseOrExit(2, Argv(bad).data(), "desc"), ::testing::ExitedWithCode(2),
              "tcp-info: flag provided but not defined: -nope\nRun 'tcp-info -help' for usage.");
}

TEST(ParseOrExitTest, ReturnsPositional) {
  ResetAllForTest();
  std::vector<std::string> args = {"prog", "-count=8", "a", "b"};
  EXPECT_THAT(ParseOrExit(4, Argv(args).data(), ""), ElementsAre("a", "b"));
  EXPECT_EQ(*FLAGS_count, 8);
  ResetAllForTest();
}

}  // namespace
}  // namespace mlab::flags
