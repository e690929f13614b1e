// A SYN flood against the server (200,000 SYNs from spoofed sources within 10 s, each a new flow
// that never gets a UUID) while real IPv4 and IPv6 flows run in parallel: the process stays
// under its configured memory cap (-maxheap, checked on VmRSS throughout), the flood is shed by
// the uuidwait byte cap, and every real flow is still saved complete (packet counts equal to an
// independent tcpdump on the client side).

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "lib/spool/spool_dir.h"
#include "lib/testing/sanitizers.h"
#include "services/packet-headers/testing/netns_harness.h"
#include "services/packet-headers/testing/test_packets.h"
#include "tests/netns/test_network.h"

namespace mlab::packet_headers::testing {
namespace {

using ::mlab::testing::Shell;
using ::mlab::testing::TestNetwork;

constexpr int kMetricsPort = 9993;
constexpr int64_t kMaxHeap = 96 * 1000 * 1000;  // -maxheap=96MB
constexpr int64_t kSyns = 200000;
constexpr absl::Duration kFloodWindow = absl::Seconds(10);

TEST(SynFloodTest, MemoryStaysUnderTheCapAndRealFlowsAreSavedComplete) {
  if (::mlab::testing::kHeavySanitizer) {
    GTEST_SKIP() << "the -maxheap cap is checked on resident memory, which ASan/TSan inflate";
  }
  absl::StatusOr<std::unique_ptr<TestNetwork>> net = TestNetwork::Create();
  ASSERT_TRUE(net.ok()) << net.status();
  const std::string server_ns = (*net)->server_ns(), client_ns = (*net)->client_ns();
  // SYN-ACKs to the spoofed sources go out to the client side (which drops them), as on a real
  // server with a default route.
  ASSERT_TRUE(
      Shell(absl::StrCat("ip -n ", server_ns, " route add 198.51.100.0/24 via 192.0.2.2")).ok());

  TempDir dir;
  TempDir socket_dir(::mlab::testing::kShortTempBase);
  const std::string datadir = dir.path() + "/pcap";
  absl::StatusOr<std::unique_ptr<EventSource>> events =
      EventSource::Start(socket_dir.path() + "/tcpevents.sock");
  ASSERT_TRUE(events.ok()) << events.status();

  absl::StatusOr<std::unique_ptr<Process>> service = Process::Start(
      server_ns,
      {RunfilesBinary("services/packet-headers/packet-headers"), "-interface=veth-srv",
       "-datadir=" + datadir, "-tcpinfo.eventsocket=" + (*events)->path(),
       absl::StrCat("-prometheusx.listen-address=127.0.0.1:", kMetricsPort), "-maxheap=96MB",
       "-maxuuidwaitbytes=16MB", "-pcapbuffersize=8MB", "-flowtimeout=3s", "-uuidwaitduration=5s",
       "-closegrace=300ms", "-sigtermwait=100ms"},
      dir.path() + "/packet-headers.log");
  ASSERT_TRUE(service.ok()) << service.status();
  ASSERT_TRUE(WaitFor([&] { return (*events)->subscribers() > 0 || !(*service)->Running(); },
                      absl::Seconds(20)));
  ASSERT_TRUE((*service)->Running()) << (*service)->Log();

  absl::StatusOr<std::unique_ptr<Listener>> v4 = Listener::Create(server_ns, false);
  absl::StatusOr<std::unique_ptr<Listener>> v6 = Listener::Create(server_ns, true);
  ASSERT_TRUE(v4.ok() && v6.ok());
  const std::string reference = dir.path() + "/reference.pcap";
  absl::StatusOr<std::unique_ptr<Tcpdump>> tcpdump =
      Tcpdump::Start(client_ns, "veth-cli",
                     absl::StrCat("(host 192.0.2.2 or host 2001:db8::2) and (tcp port ",
                                  (*v4)->port(), " or tcp port ", (*v6)->port(), ")"),
                     reference);
  ASSERT_TRUE(tcpdump.ok()) << tcpdump.status();

  // Resident memory, sampled for the whole run.
  std::atomic<bool> sampling{true};
  std::atomic<int64_t> max_rss{0};
  std::thread sampler([&] {
    while (sampling.load()) {
      max_rss = std::max<int64_t>(max_rss.load(), (*service)->ResidentBytes());
      absl::SleepFor(absl::Milliseconds(20));
    }
  });

  absl::StatusOr<int64_t> flooded;
  absl::Duration flood_took;
  absl::Notification flood_done;
  std::thread flood([&] {
    const absl::Time start = absl::Now();
    flooded = SynFlood(client_ns, TestNetwork::kServerV4, (*v4)->port(), kSyns, kFloodWindow);
    flood_took = absl::Now() - start;
    flood_done.Notify();
  });

  // Real flows all through the flood: at most 40, one every 250 ms.
  std::vector<LiveFlow> flows;
  std::vector<absl::Time> opened;
  for (int i = 0; i < 40 && !flood_done.HasBeenNotified(); ++i) {
    Listener& listener = i % 2 == 0 ? **v4 : **v6;
    absl::StatusOr<LiveFlow> flow = listener.Connect(client_ns);
    ASSERT_TRUE(flow.ok()) << flow.status();
    opened.push_back(absl::Now());
    (*events)->Open(*flow);
    ASSERT_TRUE(Exchange(*flow, 20, 4000, 4000).ok());
    CloseFlow(*flow);
    (*events)->Close(*flow);
    flows.push_back(*flow);
    flood_done.WaitForNotificationWithTimeout(absl::Milliseconds(250));  // pacing the flows
  }
  flood.join();
  ASSERT_TRUE(flooded.ok()) << flooded.status();
  EXPECT_EQ(*flooded, kSyns);
  EXPECT_LE(flood_took, kFloodWindow);
  ASSERT_GE(flows.size(), 10u);

  std::vector<std::string> paths;
  for (size_t i = 0; i < flows.size(); ++i) {
    paths.push_back(
        absl::StrCat(datadir, "/", spool::DatePath(opened[i]), "/", flows[i].uuid, ".pcap.gz"));
  }
  ASSERT_TRUE(WaitFor([&] { return ListFiles(datadir).size() >= paths.size(); }, absl::Seconds(30)))
      << ListFiles(datadir).size() << " of " << paths.size() << "\n"
      << (*service)->Log();
  // Until the flood's flows have all timed out, memory is at its highest: keep sampling.
  ASSERT_TRUE(WaitFor(
      [&] {
        absl::StatusOr<std::string> page = HttpGet(server_ns, kMetricsPort, "/metrics");
        return page.ok() && MetricValue(*page, "pcap_uuidwait_bytes") == 0;
      },
      absl::Seconds(20)));
  sampling = false;
  sampler.join();

  absl::Status witness = (*tcpdump)->Finish();
  ASSERT_TRUE(witness.ok()) << witness;
  absl::StatusOr<std::map<uint16_t, int>> sent_v4 = TsharkCountByPort(reference, (*v4)->port());
  absl::StatusOr<std::map<uint16_t, int>> sent_v6 = TsharkCountByPort(reference, (*v6)->port());
  ASSERT_TRUE(sent_v4.ok() && sent_v6.ok());
  int complete = 0;
  for (size_t i = 0; i < flows.size(); ++i) {
    SCOPED_TRACE(flows[i].uuid);
    const int sent = (flows[i].ipv6 ? *sent_v6 : *sent_v4)[flows[i].client_port];
    absl::StatusOr<std::map<uint16_t, int>> saved =
        TsharkCountByPort(paths[i], flows[i].server_port);
    ASSERT_TRUE(saved.ok()) << saved.status();
    EXPECT_EQ((*saved)[flows[i].client_port], sent);
    EXPECT_GE(sent, 3 + 2 * 20);
    complete += (*saved)[flows[i].client_port] == sent;
  }
  absl::Status etl = RunEtlCheck(paths);
  EXPECT_TRUE(etl.ok()) << etl;

  absl::StatusOr<std::string> page = HttpGet(server_ns, kMetricsPort, "/metrics");
  ASSERT_TRUE(page.ok());
  const double evicted = MetricValue(*page, "pcap_flows_refused_total{reason=\"uuidwaitbytes\"}");
  const double seen = MetricValue(*page, "pcap_flows_total");
  const double drops =
      MetricValue(*page, "pcap_capture_kernel_drops_total{interface=\"veth-srv\"}");
  std::cout << "SYN flood: " << *flooded << " SYNs in " << flood_took << "; " << flows.size()
            << " real flows, " << complete << " saved complete; flows seen " << seen
            << ", evicted by -maxuuidwaitbytes " << evicted << ", kernel drops " << drops
            << "; max RSS " << max_rss.load() << " bytes (cap " << kMaxHeap << ")" << std::endl;
  EXPECT_LT(max_rss.load(), kMaxHeap);
  EXPECT_GT(max_rss.load(), 0);
  EXPECT_GT(evicted, 0);  // the cap, not luck, bounded the flood's memory
  EXPECT_GE(seen, kSyns);
  EXPECT_EQ(drops, 0);

  absl::StatusOr<int> code = (*service)->Stop(SIGTERM, absl::Seconds(20));
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0);
}

}  // namespace
}  // namespace mlab::packet_headers::testing
