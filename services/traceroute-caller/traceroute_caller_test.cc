// The whole service without privileges: real FlowEvents over gRPC, a fake scamper (a shell script
// printing a real scamper trace for the address it is given and logging when it runs), a fake
// Annotator. Proves the trigger, the cache marking, the limiter under load, the archive files and
// a clean shutdown.
#include "services/traceroute-caller/traceroute_caller.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/events/publisher.h"
#include "lib/events/server.h"
#include "lib/testing/temp_dir.h"
#include "services/traceroute-caller/scamper_common.h"
#include "services/traceroute-caller/testing/child_processes.h"
#include "services/traceroute-caller/testing/fake_annotator.h"
#include "services/traceroute-caller/trace_metrics.h"
#include "services/traceroute-caller/trace_trigger.h"

namespace mlab::trc {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

// The largest number of [start, end] intervals of the log that overlap (ties count as overlap).
int MaxOverlap(const std::string& log) {
  std::map<std::string, std::pair<int64_t, int64_t>> runs;
  for (const std::string& line : Lines(log)) {
    std::vector<std::string> f = absl::StrSplit(line, ' ');
    if (f.size() < 3) continue;
    if (f[0] == "start") runs[f[1]].first = std::stoll(f[2]);
    if (f[0] == "end") runs[f[1]].second = std::stoll(f[2]);
  }
  std::vector<std::pair<int64_t, int>> points;
  for (const auto& [pid, run] : runs) {
    points.push_back({run.first, 0});  // Starts sort before ends at the same instant.
    points.push_back({run.second == 0 ? INT64_MAX : run.second, 1});
  }
  std::sort(points.begin(), points.end());
  int now = 0, peak = 0;
  for (const auto& [t, kind] : points) {
    now += kind == 0 ? 1 : -1;
    peak = std::max(peak, now);
  }
  return peak;
}

class TracerouteCallerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto fake = testing::FakeAnnotator::Start(dir_ + "/a.sock");
    ASSERT_TRUE(fake.ok());
    annotator_ = *std::move(fake);
    server_ = std::make_unique<events::FlowEventServer>(&publisher_, dir_ + "/e.sock");
    ASSERT_TRUE(server_->Start().ok());
    // scamper's own three lines of a real trace to 192.0.2.2.
    std::string trace = ReadFile("services/traceroute-caller/testdata/netns_mda.jsonl");
    std::ofstream(dir_ + "/template") << trace.substr(trace.find('\n') + 1);
  }

  void TearDown() override {
    if (service_ != nullptr) service_->Shutdown(absl::ZeroDuration());
    service_.reset();
    server_->Shutdown();
    annotator_.reset();
  }

  // A scamper that logs "start|end <pid> <ns> <ip>", waits `delay` and prints the template trace
  // with 192.0.2.2 replaced by the address it was asked to trace; `extra` runs before printing.
  std::string FakeScamper(const std::string& delay, const std::string& extra = "") {
    std::string path = dir_ + "/scamper";
    std::ofstream(path) << "#!/bin/sh\n"
                        << "eval last=\\${$#}\nip=${last##* }\n"
                        << "echo \"start $$ $(date +%s%N) $ip\" >> " << dir_ << "/log\n"
                        << "sleep " << delay << "\n"
                        << extra << "\n"
                        << "sed \"s/192\\.0\\.2\\.2/$ip/g\" " << dir_ << "/template\n"
                        << "echo \"end $$ $(date +%s%N) $ip\" >> " << dir_ << "/log\n";
    chmod(path.c_str(), 0755);
    return path;
  }

  void StartService(const std::string& scamper, int max_concurrent) {
    ServiceOptions o;
    o.scamper.binary = scamper;
    o.scamper.ptr = false;
    o.scamper.wait_probe = 15;
    o.scamper.timeout = absl::Seconds(60);
    o.traceroute_output = dir_ + "/spool/scamper1";
    o.hopannotation_output = dir_ + "/spool/hopannotation2";
    o.eventsocket = dir_ + "/e.sock";
    o.annotator_socket = dir_ + "/a.sock";
    o.max_concurrent = max_concurrent;
    o.metadata_dir = dir_ + "/no-metadata";
    o.hostname = "testhost";
    o.version = "test-version";
    auto service = TracerouteCaller::Create(o);
    ASSERT_TRUE(service.ok()) << service.status();
    service_ = *std::move(service);
    service_->trigger().set_on_archived(
        [this](const std::string& uuid, const TraceArchiver::Report& report) {
          absl::MutexLock lock(&mu_);
          reports_[uuid] = report;
        });
    ASSERT_TRUE(service_->Start().ok());
    // Closes sent before the subscription would be lost (a flow that opened and closed unseen).
    absl::Time give_up = absl::Now() + absl::Seconds(20);
    while (publisher_.stats().subscribers_current == 0 && absl::Now() < give_up) {
      absl::SleepFor(absl::Milliseconds(5));
    }
    ASSERT_EQ(publisher_.stats().subscribers_current, 1);
  }

  void OpenClose(const std::string& uuid, const std::string& client) {
    events::SocketID id;
    id.set_src_ip("127.0.0.1");  // Local: the client is the remote end.
    id.set_src_port(443);
    id.set_dst_ip(client);
    id.set_dst_port(50000);
    publisher_.PublishOpen(absl::Now(), uuid, id);
    publisher_.PublishClose(absl::Now(), uuid, id);
  }

  // Waits (bounded) until `n` traces were archived.
  bool WaitArchived(size_t n, absl::Duration limit = absl::Seconds(60)) {
    absl::MutexLock lock(&mu_);
    auto done = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return reports_.size() >= n; };
    mu_.AwaitWithTimeout(absl::Condition(&done), limit);
    return done();
  }

  TraceArchiver::Report ReportFor(const std::string& uuid) {
    absl::MutexLock lock(&mu_);
    return reports_.at(uuid);
  }

  ::mlab::testing::ShortTempDir tmp_;
  std::string dir_ = tmp_.path();
  std::unique_ptr<testing::FakeAnnotator> annotator_;
  events::FlowEventPublisher publisher_;
  std::unique_ptr<events::FlowEventServer> server_;
  std::unique_ptr<TracerouteCaller> service_;
  absl::Mutex mu_;
  std::map<std::string, TraceArchiver::Report> reports_ ABSL_GUARDED_BY(mu_);
};

TEST_F(TracerouteCallerTest, TracesOnCloseAndMarksTheSecondFlowCached) {
  StartService(FakeScamper("0"), 2);
  // Not 192.0.2.2 itself: test machines may own that address.
  OpenClose("test_0000000000000001", "198.51.100.77");
  ASSERT_TRUE(WaitArchived(1));
  TraceArchiver::Report a = ReportFor("test_0000000000000001");
  ASSERT_TRUE(a.status.ok()) << a.status;
  // The archive is upstream's re-marshal of the trace (golden from upstream's parser).
  std::string golden = ReadFile("services/traceroute-caller/testdata/golden/netns_mda.none.jsonl");
  std::string scamper_lines =
      absl::StrReplaceAll(golden.substr(golden.find('\n') + 1), {{"192.0.2.2", "198.51.100.77"}});
  EXPECT_EQ(ReadFile(a.path),
            MetadataLine("test_0000000000000001", "test-version", false, "") + scamper_lines);
  EXPECT_THAT(a.path, HasSubstr("/spool/scamper1/2026/11/22/20261122T"));
  EXPECT_THAT(a.path, ::testing::EndsWith("Z_test_0000000000000001.jsonl"));
  EXPECT_EQ(a.hops, 3);
  EXPECT_EQ(a.annotations, 3);
  std::string hop_file = dir_ + "/spool/hopannotation2/2026/11/22/" +
                         std::filesystem::path(a.path).filename().string().substr(0, 16) +
                         "_testhost_198.51.100.1.json";
  EXPECT_THAT(ReadFile(hop_file), StartsWith("{\"ID\":\"20261122_testhost_198.51.100.1\","));

  double cached = TraceMetrics::Get().cached.Value();
  OpenClose("test_0000000000000002", "198.51.100.77");
  ASSERT_TRUE(WaitArchived(2));
  TraceArchiver::Report b = ReportFor("test_0000000000000002");
  ASSERT_TRUE(b.status.ok()) << b.status;
  EXPECT_EQ(ReadFile(b.path),
            MetadataLine("test_0000000000000002", "test-version", true, "test_0000000000000001") +
                scamper_lines);
  EXPECT_EQ(std::filesystem::path(b.path).parent_path(),
            std::filesystem::path(a.path).parent_path());
  EXPECT_EQ(TraceMetrics::Get().cached.Value(), cached + 1);
  EXPECT_EQ(Lines(ReadFile(dir_ + "/log")).size(), 2u);  // One scamper run: start and end.
  EXPECT_EQ(annotator_->requests().size(), 1u);          // The hops were annotated once today.
}

TEST_F(TracerouteCallerTest, FlowsNotSeenOpenOrWithoutRemoteAreNotTraced) {
  StartService(FakeScamper("0"), 2);
  events::SocketID both_local;
  both_local.set_src_ip("127.0.0.1");
  both_local.set_dst_ip("127.0.0.1");
  publisher_.PublishOpen(absl::Now(), "test_00000000000000AA", both_local);
  publisher_.PublishClose(absl::Now(), "test_00000000000000AA", both_local);
  events::SocketID remote;
  remote.set_src_ip("127.0.0.1");
  remote.set_dst_ip("203.0.113.99");
  publisher_.PublishClose(absl::Now(), "test_00000000000000AB", remote);  // Never opened.
  OpenClose("test_00000000000000AC", "203.0.113.3");  // A marker: events are handled in order.
  ASSERT_TRUE(WaitArchived(1));
  EXPECT_EQ(Lines(ReadFile(dir_ + "/log")).size(), 2u);
  absl::MutexLock lock(&mu_);
  EXPECT_EQ(reports_.count("test_00000000000000AC"), 1u);
}

TEST_F(TracerouteCallerTest, LoadOfFiveHundredClosesForFiftyAddresses) {
  constexpr int kLimit = 4;
  StartService(FakeScamper("0.2"), kLimit);
  absl::Time start = absl::Now();
  std::vector<std::string> uuids;
  for (int i = 0; i < 500; ++i) {
    uuids.push_back(absl::StrCat("load_", absl::Hex(i, absl::kZeroPad16)));
    OpenClose(uuids.back(), absl::StrCat("203.0.113.", 10 + i % 50));
  }
  ASSERT_LT(absl::Now() - start, absl::Seconds(10));
  ASSERT_TRUE(WaitArchived(500));
  std::string log = ReadFile(dir_ + "/log");
  std::set<std::string> traced;
  int starts = 0;
  for (const std::string& line : Lines(log)) {
    if (!absl::StartsWith(line, "start ")) continue;
    ++starts;
    traced.insert(line.substr(line.rfind(' ') + 1));
  }
  EXPECT_EQ(starts, 50);  // One trace per address within the cache timeout.
  EXPECT_EQ(traced.size(), 50u);
  EXPECT_LE(MaxOverlap(log), kLimit);
  EXPECT_LE(service_->runner().peak_running(), kLimit);
  EXPECT_EQ(service_->limiter().peak_running(), kLimit);  // The limit was actually reached.
  int fresh = 0, cached = 0;
  for (const std::string& uuid : uuids) {
    TraceArchiver::Report r = ReportFor(uuid);
    ASSERT_TRUE(r.status.ok()) << uuid << ": " << r.status;
    ASSERT_TRUE(std::filesystem::exists(r.path)) << r.path;
    std::string first = ReadFile(r.path).substr(0, ReadFile(r.path).find('\n'));
    if (first.find("\"CachedResult\":true") != std::string::npos) {
      ++cached;
    } else {
      ++fresh;
    }
  }
  EXPECT_EQ(fresh, 50);
  EXPECT_EQ(cached, 450);
  service_->Shutdown(absl::Seconds(5));
  EXPECT_TRUE(testing::NoChildren());
}

TEST_F(TracerouteCallerTest, ShutdownKillsRunningTracesAndDropsQueuedOnes) {
  StartService(FakeScamper("1000"), 2);
  for (int i = 0; i < 3; ++i) {
    OpenClose(absl::StrCat("stop_000000000000000", i), absl::StrCat("203.0.113.", 20 + i));
  }
  // Two traces running and the third queued: an event still in flight when Shutdown stops
  // taking events would never be reported.
  absl::Time give_up = absl::Now() + absl::Seconds(20);
  while ((service_->runner().running() < 2 || service_->limiter().queued() < 1) &&
         absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  ASSERT_EQ(service_->runner().running(), 2);
  ASSERT_EQ(service_->limiter().queued(), 1u);
  absl::Time start = absl::Now();
  service_->Shutdown(absl::Milliseconds(100));
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  EXPECT_TRUE(testing::NoChildren());
  ASSERT_TRUE(WaitArchived(3, absl::Seconds(1)));
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(ReportFor(absl::StrCat("stop_000000000000000", i)).status.ok());
  }
}

TEST_F(TracerouteCallerTest, FailedTraceIsCachedAsAnError) {
  std::string path = dir_ + "/failing";
  std::ofstream(path) << "#!/bin/sh\necho \"start $$ 0 x\" >> " << dir_ << "/log\nexit 1\n";
  chmod(path.c_str(), 0755);
  StartService(path, 2);
  double skipped = TraceMetrics::Get().skipped.Value();
  OpenClose("fail_0000000000000001", "203.0.113.5");
  ASSERT_TRUE(WaitArchived(1));
  OpenClose("fail_0000000000000002", "203.0.113.5");
  ASSERT_TRUE(WaitArchived(2));
  EXPECT_FALSE(ReportFor("fail_0000000000000001").status.ok());
  EXPECT_FALSE(ReportFor("fail_0000000000000002").status.ok());
  EXPECT_EQ(Lines(ReadFile(dir_ + "/log")).size(), 1u);
  EXPECT_EQ(TraceMetrics::Get().skipped.Value(), skipped + 1);
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/spool/scamper1/2026"));
}

TEST(FindRemoteTest, ExactlyOneEndMustBeLocal) {
  std::vector<IpAddress> local = {*IpAddress::Parse("203.0.113.2"),
                                  *IpAddress::Parse("2001:db8:3::2")};
  events::SocketID id;
  id.set_src_ip("203.0.113.2");
  id.set_dst_ip("192.0.2.2");
  EXPECT_EQ(*FindRemote(id, local), "192.0.2.2");
  id.set_src_ip("2001:db8:1::2");
  id.set_dst_ip("2001:db8:3::2");
  EXPECT_EQ(*FindRemote(id, local), "2001:db8:1::2");
  id.set_src_ip("203.0.113.2");
  id.set_dst_ip("2001:db8:3::2");
  EXPECT_FALSE(FindRemote(id, local).ok());
  id.set_src_ip("192.0.2.2");
  id.set_dst_ip("198.51.100.1");
  EXPECT_FALSE(FindRemote(id, local).ok());
  id.set_dst_ip("not an address");
  EXPECT_FALSE(FindRemote(id, local).ok());
}

}  // namespace
}  // namespace mlab::trc
