#include "services/tcp-info/poller.h"

#include <thread>

#include "gtest/gtest.h"
#include "services/tcp-info/flow_filter.h"
#include "services/tcp-info/flow_table.h"
#include "services/tcp-info/sock_diag_collector.h"

namespace mlab::tcpinfo {
namespace {

TEST(PollerTest, RunsTheRequestedNumberOfPolls) {
  SockDiagCollector collector;
  FlowFilter filter;
  FlowTable table("p", &filter);
  int after_poll = 0;
  Poller poller(&collector, &table, nullptr,
                {.interval = absl::Milliseconds(1),
                 .reps = 5,
                 .after_poll = [&after_poll](absl::Time) { ++after_poll; }});
  ASSERT_TRUE(poller.Run().ok());
  EXPECT_EQ(poller.polls(), 5);
  EXPECT_EQ(after_poll, 5);
}

TEST(PollerTest, StopEndsRunFromAnotherThread) {
  SockDiagCollector collector;
  FlowFilter filter;
  FlowTable table("p", &filter);
  // A long interval: Run would wait an hour between polls unless Stop wakes it.
  Poller poller(&collector, &table, nullptr, {.interval = absl::Hours(1)});
  std::thread runner([&poller] { poller.Run().IgnoreError(); });
  poller.Stop();
  runner.join();
  EXPECT_LE(poller.polls(), 1);
}

}  // namespace
}  // namespace mlab::tcpinfo
