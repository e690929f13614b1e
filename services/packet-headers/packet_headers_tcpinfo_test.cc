// Full stack: the real tcp-info binary (//services/tcp-info) polls the server namespace's sockets
// and publishes FlowEvents; the real packet-headers subscribes to it. For real IPv4 and IPv6
// flows from the client namespace, the .pcap.gz files carry exactly the UUIDs of tcp-info's own
// archives, and hold every packet tcpdump saw on the wire.

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "services/packet-headers/testing/netns_harness.h"
#include "services/packet-headers/testing/test_packets.h"
#include "tests/netns/test_network.h"

namespace mlab::packet_headers::testing {
namespace {

using ::mlab::testing::TestNetwork;

constexpr char kPrefix[] = "phstack_1700000001";

// The UUIDs tcp-info archived: "<UUID>.<seq>.jsonl.zst" names under `dir`.
std::set<std::string> TcpInfoUuids(const std::string& dir) {
  std::set<std::string> out;
  for (const std::string& path : ListFiles(dir)) {
    const std::string name = std::filesystem::path(path).filename().string();
    if (!absl::EndsWith(name, ".jsonl.zst")) continue;
    out.insert(name.substr(0, name.find('.')));
  }
  return out;
}

TEST(PacketHeadersWithTcpInfoTest, FilesCarryTcpInfosUuids) {
  absl::StatusOr<std::unique_ptr<TestNetwork>> net = TestNetwork::Create();
  ASSERT_TRUE(net.ok()) << net.status();
  const std::string server_ns = (*net)->server_ns(), client_ns = (*net)->client_ns();
  TempDir dir;
  TempDir socket_dir(::mlab::testing::kShortTempBase);
  const std::string prefix_file = dir.path() + "/prefix";
  std::ofstream(prefix_file) << kPrefix;
  const std::string socket = socket_dir.path() + "/tcpevents.sock";
  const std::string pcap_dir = dir.path() + "/pcap", tcpinfo_dir = dir.path() + "/tcpinfo";

  absl::StatusOr<std::unique_ptr<Process>> tcpinfo =
      Process::Start(server_ns,
                     {RunfilesBinary("services/tcp-info/tcp-info"), "-output=" + tcpinfo_dir,
                      "-tcpinfo.eventsocket=" + socket, "-uuid-prefix-file=" + prefix_file,
                      "-prometheusx.listen-address=127.0.0.1:9991"},
                     dir.path() + "/tcp-info.log");
  ASSERT_TRUE(tcpinfo.ok()) << tcpinfo.status();
  ASSERT_TRUE(WaitFor([&] { return std::filesystem::exists(socket); }, absl::Seconds(20)))
      << (*tcpinfo)->Log();

  absl::StatusOr<std::unique_ptr<Process>> service = Process::Start(
      server_ns,
      {RunfilesBinary("services/packet-headers/packet-headers"), "-interface=veth-srv",
       "-datadir=" + pcap_dir, "-tcpinfo.eventsocket=" + socket, "-uuid-prefix-file=" + prefix_file,
       "-prometheusx.listen-address=127.0.0.1:9993", "-flowtimeout=3s", "-closegrace=500ms",
       "-sigtermwait=100ms"},
      dir.path() + "/packet-headers.log");
  ASSERT_TRUE(service.ok()) << service.status();
  ASSERT_TRUE(WaitFor(
      [&] { return absl::StrContains((*service)->Log(), "connected to the flow event socket"); },
      absl::Seconds(20)))
      << (*service)->Log();

  absl::StatusOr<std::unique_ptr<Listener>> v4 = Listener::Create(server_ns, false);
  absl::StatusOr<std::unique_ptr<Listener>> v6 = Listener::Create(server_ns, true);
  ASSERT_TRUE(v4.ok() && v6.ok());
  const std::string reference = dir.path() + "/reference.pcap";
  absl::StatusOr<std::unique_ptr<Tcpdump>> tcpdump = Tcpdump::Start(
      client_ns, "veth-cli",
      absl::StrCat("tcp port ", (*v4)->port(), " or tcp port ", (*v6)->port()), reference);
  ASSERT_TRUE(tcpdump.ok()) << tcpdump.status();

  std::vector<LiveFlow> flows;
  std::set<std::string> expected;
  for (int i = 0; i < 6; ++i) {
    absl::StatusOr<LiveFlow> flow = (i % 2 == 0 ? **v4 : **v6).Connect(client_ns, kPrefix);
    ASSERT_TRUE(flow.ok()) << flow.status();
    ASSERT_TRUE(Exchange(*flow, 10, 3000, 3000).ok());
    flows.push_back(*flow);
    expected.insert(flow->uuid);
  }
  // tcp-info polls every 10 ms: a flow it has not polled yet has no UUID. Close only after every
  // Open reached packet-headers.
  ASSERT_TRUE(WaitFor(
      [&] {
        absl::StatusOr<std::string> page = HttpGet(server_ns, 9993, "/metrics");
        return page.ok() && MetricValue(*page, "pcap_demuxer_uuids_total") >= flows.size();
      },
      absl::Seconds(20)));
  for (LiveFlow& flow : flows) CloseFlow(flow);  // tcp-info reports the Close by itself

  auto pcap_uuids = [&] {
    std::set<std::string> out;
    for (const std::string& path : ListFiles(pcap_dir)) {
      const std::string name = std::filesystem::path(path).filename().string();
      out.insert(name.substr(0, name.size() - std::string(".pcap.gz").size()));
    }
    return out;
  };
  ASSERT_TRUE(WaitFor([&] { return pcap_uuids().size() >= expected.size(); }, absl::Seconds(30)))
      << (*service)->Log();
  EXPECT_EQ(pcap_uuids(), expected);
  // tcp-info publishes each archive when its flow is gone.
  ASSERT_TRUE(WaitFor(
      [&] {
        std::set<std::string> archived = TcpInfoUuids(tcpinfo_dir);
        for (const std::string& uuid : expected) {
          if (archived.count(uuid) == 0) return false;
        }
        return true;
      },
      absl::Seconds(30)))
      << (*tcpinfo)->Log();

  absl::Status witness = (*tcpdump)->Finish();
  ASSERT_TRUE(witness.ok()) << witness;
  absl::StatusOr<std::map<uint16_t, int>> sent_v4 = TsharkCountByPort(reference, (*v4)->port());
  absl::StatusOr<std::map<uint16_t, int>> sent_v6 = TsharkCountByPort(reference, (*v6)->port());
  ASSERT_TRUE(sent_v4.ok() && sent_v6.ok());
  std::vector<std::string> paths;
  for (const std::string& path : ListFiles(pcap_dir)) paths.push_back(path);
  for (const LiveFlow& flow : flows) {
    SCOPED_TRACE(flow.uuid);
    std::string path;
    for (const std::string& p : paths) {
      if (absl::StrContains(p, flow.uuid)) path = p;
    }
    absl::StatusOr<std::map<uint16_t, int>> saved = TsharkCountByPort(path, flow.server_port);
    ASSERT_TRUE(saved.ok()) << saved.status();
    EXPECT_EQ((*saved)[flow.client_port], (flow.ipv6 ? *sent_v6 : *sent_v4)[flow.client_port]);
  }
  absl::Status etl = RunEtlCheck(paths);
  EXPECT_TRUE(etl.ok()) << etl;

  absl::StatusOr<int> code = (*service)->Stop(SIGTERM, absl::Seconds(20));
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, 0);
  (*tcpinfo)->Stop(SIGTERM, absl::Seconds(20)).IgnoreError();
}

}  // namespace
}  // namespace mlab::packet_headers::testing
