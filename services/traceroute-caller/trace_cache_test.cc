// TraceCache: one trace per address per timeout, shared by concurrent requests, results for other
// UUIDs relabeled exactly as upstream marks cached results.
#include "services/traceroute-caller/trace_cache.h"

#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/traceroute-caller/scamper_common.h"
#include "services/traceroute-caller/trace_metrics.h"

namespace mlab::trc {
namespace {

constexpr char kScamperLines[] =
    "{\"type\":\"cycle-start\"}\n{\"type\":\"tracelb\"}\n{\"type\":\"cycle-stop\"}\n";

// Holds every started trace until the test finishes it.
class FakeSource : public TraceSource {
 public:
  void StartTrace(const std::string& ip, const std::string& uuid,
                  std::function<void(RawTrace)> done) override {
    absl::MutexLock lock(&mu_);
    started_.push_back({ip, uuid, std::move(done)});
  }
  // Completes trace `i` with a successful result for its UUID.
  void Succeed(size_t i) {
    Started s = Take(i);
    s.done(MetadataLine(s.uuid, "v1", false, "") + kScamperLines);
  }
  void Fail(size_t i, absl::Status status) { Take(i).done(status); }
  size_t count() {
    absl::MutexLock lock(&mu_);
    return started_.size();
  }
  std::string ip(size_t i) {
    absl::MutexLock lock(&mu_);
    return started_[i].ip;
  }

 private:
  struct Started {
    std::string ip, uuid;
    std::function<void(RawTrace)> done;
  };
  Started Take(size_t i) {
    absl::MutexLock lock(&mu_);
    Started s = started_[i];
    started_[i].done = nullptr;
    return s;
  }
  absl::Mutex mu_;
  std::vector<Started> started_;
};

// Collects one outcome.
struct Result {
  std::optional<TraceOutcome> outcome;
  TraceCache::Callback Callback() {
    return [this](TraceOutcome o) {
      ASSERT_FALSE(outcome.has_value()) << "callback called twice";
      outcome = std::move(o);
    };
  }
};

class TraceCacheTest : public ::testing::Test {
 protected:
  TraceCacheTest() : cache_(Options(), &source_) {}
  TraceCache::Options Options() {
    TraceCache::Options o;
    o.entry_timeout = absl::Minutes(10);
    o.version = "v2";
    o.clock = [this] { return now_; };
    return o;
  }
  absl::Time now_ = absl::FromUnixSeconds(1700000000);
  FakeSource source_;
  TraceCache cache_;
};

TEST_F(TraceCacheTest, ConcurrentRequestsShareOneTraceAndAreMarkedCached) {
  Result a, b, c;
  cache_.Fetch("192.0.2.2", "uuid_A", a.Callback());
  cache_.Fetch("192.0.2.2", "uuid_B", b.Callback());
  cache_.Fetch("192.0.2.2", "uuid_C", c.Callback());
  ASSERT_EQ(source_.count(), 1u);
  EXPECT_FALSE(a.outcome.has_value());
  source_.Succeed(0);
  ASSERT_TRUE(a.outcome.has_value() && b.outcome.has_value() && c.outcome.has_value());
  EXPECT_FALSE(a.outcome->cached);
  EXPECT_EQ(*a.outcome->raw, std::string("{\"UUID\":\"uuid_A\",\"TracerouteCallerVersion\":\"v1\","
                                         "\"CachedResult\":false,\"CachedUUID\":\"\"}\n") +
                                 kScamperLines);
  EXPECT_TRUE(b.outcome->cached);
  EXPECT_EQ(*b.outcome->raw, std::string("{\"UUID\":\"uuid_B\",\"TracerouteCallerVersion\":\"v2\","
                                         "\"CachedResult\":true,\"CachedUUID\":\"uuid_A\"}\n") +
                                 kScamperLines);
  EXPECT_THAT(*c.outcome->raw, ::testing::HasSubstr("\"CachedUUID\":\"uuid_A\""));
}

TEST_F(TraceCacheTest, StoredResultIsReusedUntilSweptAfterTimeout) {
  Result a;
  cache_.Fetch("192.0.2.2", "uuid_A", a.Callback());
  source_.Succeed(0);
  double cached_before = TraceMetrics::Get().cached.Value();
  now_ += absl::Minutes(9);
  Result b;
  cache_.Fetch("192.0.2.2", "uuid_B", b.Callback());
  ASSERT_TRUE(b.outcome.has_value());  // Answered at once, on this thread.
  EXPECT_TRUE(b.outcome->cached);
  EXPECT_EQ(source_.count(), 1u);
  EXPECT_EQ(TraceMetrics::Get().cached.Value(), cached_before + 1);

  cache_.Sweep(now_);  // 9 minutes old: kept.
  EXPECT_EQ(cache_.size(), 1u);
  cache_.Sweep(absl::FromUnixSeconds(1700000000) + absl::Minutes(10) + absl::Seconds(1));
  EXPECT_EQ(cache_.size(), 0u);
  Result c;
  cache_.Fetch("192.0.2.2", "uuid_C", c.Callback());
  EXPECT_EQ(source_.count(), 2u);
  source_.Succeed(1);
  EXPECT_FALSE(c.outcome->cached);
}

TEST_F(TraceCacheTest, RunningTraceIsNeverSwept) {
  Result a, b;
  cache_.Fetch("192.0.2.2", "uuid_A", a.Callback());
  cache_.Sweep(now_ + absl::Hours(2));
  cache_.Fetch("192.0.2.2", "uuid_B", b.Callback());
  EXPECT_EQ(source_.count(), 1u);  // Upstream would have started a second trace here.
  source_.Succeed(0);
  EXPECT_TRUE(b.outcome->cached);
}

TEST_F(TraceCacheTest, DifferentAddressesTraceSeparately) {
  Result a, b;
  cache_.Fetch("192.0.2.2", "uuid_A", a.Callback());
  cache_.Fetch("2001:db8::2", "uuid_B", b.Callback());
  ASSERT_EQ(source_.count(), 2u);
  EXPECT_EQ(source_.ip(1), "2001:db8::2");
}

TEST_F(TraceCacheTest, ScamperErrorsAreCachedAndCountedAsSkipped) {
  Result a, b, c;
  cache_.Fetch("192.0.2.2", "uuid_A", a.Callback());
  cache_.Fetch("192.0.2.2", "uuid_B", b.Callback());
  double skipped = TraceMetrics::Get().skipped.Value();
  source_.Fail(0, absl::InternalError("scamper exit status 255"));
  EXPECT_FALSE(a.outcome->raw.ok());
  EXPECT_FALSE(b.outcome->raw.ok());
  cache_.Fetch("192.0.2.2", "uuid_C", c.Callback());
  EXPECT_EQ(c.outcome->raw.status().message(), "scamper exit status 255");
  EXPECT_EQ(source_.count(), 1u);
  EXPECT_EQ(TraceMetrics::Get().skipped.Value(), skipped + 2);
}

TEST_F(TraceCacheTest, TracesThatNeverRanAreNotCached) {
  Result a, b;
  cache_.Fetch("192.0.2.2", "uuid_A", a.Callback());
  source_.Fail(0, absl::ResourceExhaustedError("trace queue is full"));
  EXPECT_EQ(a.outcome->raw.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(cache_.size(), 0u);
  cache_.Fetch("192.0.2.2", "uuid_B", b.Callback());
  EXPECT_EQ(source_.count(), 2u);
}

TEST_F(TraceCacheTest, ManyThreadsManyUuidsOneTracePerAddress) {
  // A source that finishes each trace on a thread of its own.
  class ThreadedSource : public TraceSource {
   public:
    void StartTrace(const std::string& ip, const std::string& uuid,
                    std::function<void(RawTrace)> done) override {
      starts.fetch_add(1);
      absl::MutexLock lock(&mu);
      threads.emplace_back(
          [uuid, done] { done(MetadataLine(uuid, "v", false, "") + kScamperLines); });
    }
    std::atomic<int> starts{0};
    absl::Mutex mu;
    std::vector<std::thread> threads;
  } source;
  TraceCache cache(TraceCache::Options(), &source);
  std::atomic<int> callbacks{0}, fresh{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 8; ++t) {
    clients.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        std::string uuid = "u_" + std::to_string(t) + "_" + std::to_string(i);
        cache.Fetch("192.0.2." + std::to_string(i % 10), uuid, [&, uuid](TraceOutcome o) {
          EXPECT_TRUE(o.raw.ok());
          EXPECT_EQ(MetadataUUID(o.raw->substr(0, o.raw->find('\n'))), uuid);
          if (!o.cached) fresh.fetch_add(1);
          callbacks.fetch_add(1);
        });
      }
    });
  }
  for (auto& c : clients) c.join();
  {
    absl::MutexLock lock(&source.mu);
    for (auto& t : source.threads) t.join();
  }
  EXPECT_EQ(source.starts.load(), 10);
  EXPECT_EQ(fresh.load(), 10);
  EXPECT_EQ(callbacks.load(), 800);
}

TEST(RelabelCachedTraceTest, RewritesOnlyTheFirstLine) {
  std::string original = MetadataLine("uuid_A", "v1", false, "") + kScamperLines;
  auto relabeled = RelabelCachedTrace("uuid_B", "v9", original);
  ASSERT_TRUE(relabeled.ok());
  EXPECT_EQ(*relabeled, MetadataLine("uuid_B", "v9", true, "uuid_A") + kScamperLines);
  double bad = TraceMetrics::Get().bad_cache.Value();
  EXPECT_FALSE(RelabelCachedTrace("uuid_B", "v9", "no newline").ok());
  EXPECT_FALSE(RelabelCachedTrace("uuid_B", "v9", "\nstarts with newline").ok());
  EXPECT_EQ(TraceMetrics::Get().bad_cache.Value(), bad + 2);
}

}  // namespace
}  // namespace mlab::trc
