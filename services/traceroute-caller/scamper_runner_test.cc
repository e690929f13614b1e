// ScamperRunner runs scamper with upstream's exact arguments, reports failures as errors, and never
// leaves a process behind: timeouts and cancellation kill the whole process group and reap it.
// Fake scampers (shell scripts) stand in for the real one.
#include "services/traceroute-caller/scamper_runner.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/traceroute-caller/subprocess.h"
#include "services/traceroute-caller/testing/child_processes.h"

namespace mlab::trc {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class ScamperRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    char templ[256];
    snprintf(templ, sizeof(templ), "%s/scamperXXXXXX", tmp ? tmp : "/tmp");
    ASSERT_NE(mkdtemp(templ), nullptr);
    dir_ = templ;
  }

  // Writes an executable shell script and returns its path.
  std::string Script(const std::string& name, const std::string& body) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << "#!/bin/sh\n" << body;
    chmod(path.c_str(), 0755);
    return path;
  }

  std::string Read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  std::unique_ptr<ScamperRunner> Runner(const std::string& binary,
                                        absl::Duration timeout = absl::Seconds(30)) {
    ScamperConfig config;
    config.binary = binary;
    config.timeout = timeout;
    config.ptr = false;
    config.wait_probe = 15;
    auto runner = ScamperRunner::Create(config);
    EXPECT_TRUE(runner.ok()) << runner.status();
    return runner.ok() ? *std::move(runner) : nullptr;
  }

  // True when `pid` has exited (gone, or a zombie of whoever inherited it) within a few seconds:
  // SIGKILL to a process that is not our child completes asynchronously.
  static bool Dead(pid_t pid) {
    absl::Time give_up = absl::Now() + absl::Seconds(5);
    while (!DeadNow(pid) && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(5));
    return DeadNow(pid);
  }

  static bool DeadNow(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    if (!stat.good()) return true;
    std::string line;
    std::getline(stat, line);
    size_t paren = line.rfind(')');
    return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] == 'Z';
  }

  std::string dir_;
};

TEST_F(ScamperRunnerTest, ArgvIsUpstreams) {
  std::string bin = Script("scamper", "exit 0\n");
  ScamperConfig config;
  config.binary = bin;
  config.wait_probe = 39;
  auto mda = ScamperRunner::Create(config);
  ASSERT_TRUE(mda.ok());
  // TRC:tracer/scamper_test.go's expected command line.
  EXPECT_THAT((*mda)->Argv("10.1.1.1"),
              ElementsAre(bin, "-o-", "-O", "json", "-I",
                          "tracelb -P icmp-echo -q 3 -W 39 -O ptr 10.1.1.1"));
  config.trace_type = TraceType::kRegular;
  config.ptr = false;
  config.wait_probe = 15;
  auto regular = ScamperRunner::Create(config);
  ASSERT_TRUE(regular.ok());
  EXPECT_THAT(
      (*regular)->Argv("2001:db8::2"),
      ElementsAre(bin, "-o-", "-O", "json", "-I", "trace -P udp-paris -q 3 -W 15 2001:db8::2"));
}

TEST_F(ScamperRunnerTest, ValidatesLikeUpstream) {
  ScamperConfig config;
  config.binary = Script("scamper", "exit 0\n");
  EXPECT_TRUE(ValidateScamperConfig(config).ok());
  config.wait_probe = 14;
  EXPECT_FALSE(ValidateScamperConfig(config).ok());
  config.wait_probe = 201;
  EXPECT_FALSE(ValidateScamperConfig(config).ok());
  config.wait_probe = 200;
  config.timeout = absl::Milliseconds(999);
  EXPECT_FALSE(ValidateScamperConfig(config).ok());
  config.timeout = absl::Seconds(3601);
  EXPECT_FALSE(ValidateScamperConfig(config).ok());
  config.timeout = absl::Seconds(3600);
  EXPECT_TRUE(ValidateScamperConfig(config).ok());
  std::string text = dir_ + "/non-executable";
  std::ofstream(text) << "not a program\n";
  config.binary = text;
  EXPECT_FALSE(ValidateScamperConfig(config).ok());
  config.binary = dir_;  // A directory is executable but not a file.
  EXPECT_FALSE(ValidateScamperConfig(config).ok());
}

TEST_F(ScamperRunnerTest, ReturnsStdoutAndPassesExactArguments) {
  std::string args = dir_ + "/args";
  std::string bin =
      Script("scamper", absl::StrCat("for a in \"$@\"; do printf '%s\\n' \"$a\" >> ", args,
                                     "; done\necho line1\necho line2\n"
                                     "echo noise >&2\n"));
  auto runner = Runner(bin);
  auto out = runner->Run("192.0.2.2");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, "line1\nline2\n");
  EXPECT_EQ(Read(args), "-o-\n-O\njson\n-I\ntracelb -P icmp-echo -q 3 -W 15 192.0.2.2\n");
  EXPECT_TRUE(testing::NoChildren());
}

TEST_F(ScamperRunnerTest, FailureDiscardsOutput) {
  // Like upstream's tracer/testdata/fail.
  auto runner = Runner(Script("scamper", "echo 'partial output'\nexit 1\n"));
  auto out = runner->Run("192.0.2.2");
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("exit status 1"));
  EXPECT_TRUE(testing::NoChildren());
}

TEST_F(ScamperRunnerTest, EmptyOutputIsAnError) {
  auto runner = Runner(Script("scamper", "exit 0\n"));
  EXPECT_FALSE(runner->Run("192.0.2.2").ok());
}

TEST_F(ScamperRunnerTest, KilledBySignalIsAnError) {
  auto runner = Runner(Script("scamper", "echo x\nkill -9 $$\n"));
  auto out = runner->Run("192.0.2.2");
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("signal 9"));
}

TEST_F(ScamperRunnerTest, TimeoutKillsTheWholeGroupAndLeavesNoZombie) {
  // Like upstream's tracer/testdata/loop, plus a child that would outlive a plain kill.
  std::string pids = dir_ + "/pids";
  auto runner =
      Runner(Script("scamper", absl::StrCat("sleep 1000 &\necho $! > ", pids, "\necho $$ >> ", pids,
                                            "\necho started\nwhile :; do sleep 1; done\n")),
             absl::Seconds(1));
  absl::Time start = absl::Now();
  auto out = runner->Run("192.0.2.2");
  absl::Duration took = absl::Now() - start;
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_GE(took, absl::Seconds(1));
  EXPECT_LT(took, absl::Seconds(5));
  EXPECT_TRUE(testing::NoChildren());
  EXPECT_EQ(runner->running(), 0);
  std::vector<std::string> lines = absl::StrSplit(Read(pids), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u);
  for (const std::string& pid : lines) EXPECT_TRUE(Dead(std::stoi(pid))) << pid;
}

TEST_F(ScamperRunnerTest, LeftoverChildrenDoNotDelayTheResult) {
  // scamper exited, but something it started still holds stdout: the result must not wait for
  // the timeout, and the leftover is killed.
  std::string pidfile = dir_ + "/pid";
  auto runner =
      Runner(Script("scamper", absl::StrCat("sleep 1000 &\necho $! > ", pidfile, "\necho done\n")),
             absl::Seconds(60));
  absl::Time start = absl::Now();
  auto out = runner->Run("192.0.2.2");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, "done\n");
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
  EXPECT_TRUE(Dead(std::stoi(Read(pidfile))));
  EXPECT_TRUE(testing::NoChildren());
}

TEST_F(ScamperRunnerTest, CancelAllKillsRunningAndRefusesNew) {
  std::string marker = dir_ + "/started";
  auto runner =
      Runner(Script("scamper", absl::StrCat("touch ", marker, "\nwhile :; do sleep 1; done\n")),
             absl::Seconds(600));
  absl::StatusOr<std::string> result;
  std::thread t([&] { result = runner->Run("192.0.2.2"); });
  // Wait (bounded) until the fake scamper runs, then cancel it.
  absl::Time give_up = absl::Now() + absl::Seconds(20);
  while (runner->running() == 0 && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(5));
  ASSERT_EQ(runner->running(), 1);
  absl::Time start = absl::Now();
  runner->CancelAll();
  t.join();
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kCancelled);
  EXPECT_TRUE(testing::NoChildren());
  EXPECT_EQ(runner->Run("192.0.2.2").status().code(), absl::StatusCode::kCancelled);
}

TEST_F(ScamperRunnerTest, TooMuchOutputIsKilled) {
  std::string bin = Script("scamper", "head -c 3000000 /dev/zero\nsleep 1000\n");
  SubprocessOptions options;
  options.max_output_bytes = 1 << 20;
  options.timeout = absl::Seconds(60);
  auto result = RunSubprocess({bin}, options);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->end, SubprocessResult::End::kOutputTooLarge);
  EXPECT_FALSE(result->Succeeded());
  EXPECT_TRUE(testing::NoChildren());
}

TEST_F(ScamperRunnerTest, ManyConcurrentTimeoutsLeaveNothingBehind) {
  std::string bin = Script("scamper", "sleep 1000 &\nwhile :; do sleep 1; done\n");
  std::vector<std::thread> threads;
  std::atomic<int> timed_out{0};
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&] {
      SubprocessOptions options;
      options.timeout = absl::Milliseconds(300);
      auto result = RunSubprocess({bin}, options);
      if (result.ok() && result->end == SubprocessResult::End::kTimedOut) timed_out.fetch_add(1);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(timed_out.load(), 16);
  EXPECT_TRUE(testing::NoChildren());
}

TEST_F(ScamperRunnerTest, MissingBinaryFailsToStart) {
  auto result = RunSubprocess({dir_ + "/nonexistent"}, SubprocessOptions());
  EXPECT_FALSE(result.ok());
  EXPECT_TRUE(testing::NoChildren());
}

}  // namespace
}  // namespace mlab::trc
