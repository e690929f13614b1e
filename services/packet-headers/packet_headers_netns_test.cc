// End to end in network namespaces: the real packet-headers binary captures on the server's
// veth, real IPv4 and IPv6 TCP flows come from the client namespace, tcp-info's Open/Close events
// come from lib/events' publisher with the real sockets' 4-tuple and cookie UUID. tcpdump on the
// client side is the independent count of what went over the wire; tshark and M-Lab's ETL
// parser read what we wrote.

#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "lib/spool/spool_dir.h"
#include "services/packet-headers/testing/netns_harness.h"
#include "services/packet-headers/testing/test_packets.h"
#include "tests/netns/test_network.h"

namespace mlab::packet_headers::testing {
namespace {

using ::mlab::testing::TestNetwork;

constexpr int kMetricsPort = 9993;

class PacketHeadersNetnsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<TestNetwork>> net = TestNetwork::Create();
    ASSERT_TRUE(net.ok()) << net.status();
    net_ = std::move(*net);
    datadir_ = dir_.path() + "/pcap";
    absl::StatusOr<std::unique_ptr<EventSource>> events =
        EventSource::Start(socket_dir_.path() + "/tcpevents.sock");
    ASSERT_TRUE(events.ok()) << events.status();
    events_ = std::move(*events);
  }

  void StartService(const std::vector<std::string>& extra) {
    std::vector<std::string> argv = {
        RunfilesBinary("services/packet-headers/packet-headers"),
        "-interface=veth-srv",
        "-datadir=" + datadir_,
        "-tcpinfo.eventsocket=" + events_->path(),
        absl::StrCat("-prometheusx.listen-address=127.0.0.1:", kMetricsPort),
        "-anonymize.ip=netblock",
        "-sigtermwait=100ms",
        "-pcapbuffersize=8MB",
    };
    argv.insert(argv.end(), extra.begin(), extra.end());
    absl::StatusOr<std::unique_ptr<Process>> p =
        Process::Start(net_->server_ns(), argv, dir_.path() + "/packet-headers.log");
    ASSERT_TRUE(p.ok()) << p.status();
    service_ = std::move(*p);
    // Subscribed means started: the capture handles are open before the subscriber starts.
    ASSERT_TRUE(WaitFor([&] { return events_->subscribers() > 0 || !service_->Running(); },
                        absl::Seconds(20)))
        << service_->Log();
    ASSERT_TRUE(service_->Running()) << service_->Log();
  }

  std::string PathOf(const LiveFlow& flow, absl::Time opened) {
    return absl::StrCat(datadir_, "/", spool::DatePath(opened), "/", flow.uuid, ".pcap.gz");
  }

  std::string Metrics() {
    absl::StatusOr<std::string> page = HttpGet(net_->server_ns(), kMetricsPort, "/metrics");
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? *page : "";
  }

  TempDir dir_;
  TempDir socket_dir_{"/tmp"};
  std::unique_ptr<TestNetwork> net_;
  std::string datadir_;
  std::unique_ptr<EventSource> events_;
  std::unique_ptr<Process> service_;
};

TEST_F(PacketHeadersNetnsTest, FlowsOfBothFamiliesAreSavedCompleteUnderTheirUuids) {
  StartService({"-flowtimeout=3s", "-uuidwaitduration=2s", "-closegrace=300ms"});
  const std::string log_start = service_->Log();
  EXPECT_TRUE(absl::StrContains(log_start, "Using BPF filter \"tcp and ( ip host 192.0.2.1"))
      << log_start;
  EXPECT_TRUE(absl::StrContains(log_start, "ip6 host 2001:db8::1")) << log_start;

  absl::StatusOr<std::unique_ptr<Listener>> v4 = Listener::Create(net_->server_ns(), false);
  absl::StatusOr<std::unique_ptr<Listener>> v6 = Listener::Create(net_->server_ns(), true);
  ASSERT_TRUE(v4.ok() && v6.ok());
  const std::string reference = dir_.path() + "/reference.pcap";
  absl::StatusOr<std::unique_ptr<Tcpdump>> tcpdump = Tcpdump::Start(
      net_->client_ns(), "veth-cli",
      absl::StrCat("tcp port ", (*v4)->port(), " or tcp port ", (*v6)->port()), reference);
  ASSERT_TRUE(tcpdump.ok()) << tcpdump.status();

  constexpr int kFlowsPerFamily = 4;
  std::vector<LiveFlow> flows;
  std::vector<absl::Time> opened;
  for (int i = 0; i < 2 * kFlowsPerFamily; ++i) {
    Listener& listener = i % 2 == 0 ? **v4 : **v6;
    absl::StatusOr<LiveFlow> flow = listener.Connect(net_->client_ns());
    ASSERT_TRUE(flow.ok()) << flow.status();
    opened.push_back(absl::Now());
    events_->Open(*flow);  // as tcp-info would, after it sees the socket
    ASSERT_TRUE(Exchange(*flow, 5 + i, 1000 + 300 * i, 200).ok());
    flows.push_back(*flow);
  }
  // A flow tcp-info never reports: no file.
  absl::StatusOr<LiveFlow> unreported = (*v4)->Connect(net_->client_ns());
  ASSERT_TRUE(unreported.ok());
  ASSERT_TRUE(Exchange(*unreported, 3, 100, 100).ok());
  CloseFlow(*unreported);
  for (LiveFlow& flow : flows) {
    CloseFlow(flow);
    events_->Close(flow);
  }

  std::vector<std::string> paths;
  for (size_t i = 0; i < flows.size(); ++i) paths.push_back(PathOf(flows[i], opened[i]));
  ASSERT_TRUE(
      WaitFor([&] { return ListFiles(datadir_).size() >= paths.size(); }, absl::Seconds(20)))
      << service_->Log();
  absl::Status witness = (*tcpdump)->Finish();
  ASSERT_TRUE(witness.ok()) << witness;
  absl::StatusOr<std::map<uint16_t, int>> sent_v4 = TsharkCountByPort(reference, (*v4)->port());
  absl::StatusOr<std::map<uint16_t, int>> sent_v6 = TsharkCountByPort(reference, (*v6)->port());
  ASSERT_TRUE(sent_v4.ok() && sent_v6.ok()) << sent_v4.status() << sent_v6.status();

  std::vector<std::string> sorted_paths = paths;
  std::sort(sorted_paths.begin(), sorted_paths.end());
  EXPECT_EQ(ListFiles(datadir_), sorted_paths);  // one file per UUID, nothing else
  for (size_t i = 0; i < flows.size(); ++i) {
    const LiveFlow& flow = flows[i];
    SCOPED_TRACE(flow.uuid);
    const int sent = (flow.ipv6 ? *sent_v6 : *sent_v4)[flow.client_port];
    EXPECT_GE(sent, 3 + 2 * (5 + static_cast<int>(i)));  // handshake and every request/response
    absl::StatusOr<std::map<uint16_t, int>> saved = TsharkCountByPort(paths[i], flow.server_port);
    ASSERT_TRUE(saved.ok()) << saved.status();  // tshark reads it
    ASSERT_EQ(saved->size(), 1u);
    EXPECT_EQ(saved->begin()->second, sent);  // every packet on the wire, no more

    absl::StatusOr<PcapFile> file = ReadPcapGz(paths[i]);
    ASSERT_TRUE(file.ok()) << file.status();
    EXPECT_EQ(file->snaplen, flow.ipv6 ? 114u : 94u);
    EXPECT_EQ(NonZeroPayloadBytes(*file), 0);
    // Netblock: the client (not local to the server) is cut to /24 or /48; the server stays.
    const std::string& data = file->records.front().data;  // the client's SYN
    if (flow.ipv6) {
      EXPECT_EQ(data.substr(14 + 8, 16),
                std::string("\x20\x01\x0d\xb8", 4) + std::string(12, '\0'));
      EXPECT_EQ(data.substr(14 + 24, 16),
                std::string("\x20\x01\x0d\xb8", 4) + std::string(11, '\0') + "\x01");
    } else {
      EXPECT_EQ(data.substr(14 + 12, 4), std::string("\xc0\x00\x02\x00", 4));
      EXPECT_EQ(data.substr(14 + 16, 4), std::string("\xc0\x00\x02\x01", 4));
    }
  }
  absl::Status etl = RunEtlCheck(paths);
  EXPECT_TRUE(etl.ok()) << etl;

  // The unreported flow times out waiting for its UUID.
  ASSERT_TRUE(WaitFor(
      [&] {
        return MetricValue(Metrics(), "pcap_saver_errors_total{reason=\"uuidtimedout\"}") >= 1;
      },
      absl::Seconds(10)));
  const std::string page = Metrics();
  EXPECT_EQ(MetricValue(page, "pcap_files_total"), flows.size());
  EXPECT_EQ(MetricValue(page, "pcap_capture_kernel_drops_total{interface=\"veth-srv\"}"), 0);
  EXPECT_EQ(MetricValue(page, "pcap_muxer_interfaces_with_captures"), 1);
  EXPECT_GT(MetricValue(page, "pcap_capture_received_total{interface=\"veth-srv\"}"), 0);
  EXPECT_EQ(ListFiles(datadir_).size(), flows.size());

  absl::StatusOr<int> code = service_->Stop(SIGTERM, absl::Seconds(20));
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0) << service_->Log();
}

TEST_F(PacketHeadersNetnsTest, SigtermSavesFlowsThatAreStillOpen) {
  StartService({"-flowtimeout=60s", "-stream"});
  absl::StatusOr<std::unique_ptr<Listener>> v6 = Listener::Create(net_->server_ns(), true);
  ASSERT_TRUE(v6.ok());
  const std::string reference = dir_.path() + "/reference.pcap";
  absl::StatusOr<std::unique_ptr<Tcpdump>> tcpdump = Tcpdump::Start(
      net_->client_ns(), "veth-cli", absl::StrCat("tcp port ", (*v6)->port()), reference);
  ASSERT_TRUE(tcpdump.ok()) << tcpdump.status();
  absl::StatusOr<LiveFlow> flow = (*v6)->Connect(net_->client_ns());
  ASSERT_TRUE(flow.ok());
  const absl::Time opened = absl::Now();
  events_->Open(*flow);
  ASSERT_TRUE(Exchange(*flow, 20, 5000, 5000).ok());
  // Nothing is published before the flow ends...
  EXPECT_TRUE(ListFiles(datadir_).empty());
  absl::StatusOr<int> code = service_->Stop(SIGTERM, absl::Seconds(20));
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0) << service_->Log();
  // ...and on SIGTERM the open flow is written, complete up to now.
  absl::Status witness = (*tcpdump)->Finish();
  ASSERT_TRUE(witness.ok()) << witness;
  absl::StatusOr<std::map<uint16_t, int>> sent = TsharkCountByPort(reference, (*v6)->port());
  ASSERT_TRUE(sent.ok());
  absl::StatusOr<std::map<uint16_t, int>> saved =
      TsharkCountByPort(PathOf(*flow, opened), flow->server_port);
  ASSERT_TRUE(saved.ok()) << saved.status() << "\n" << service_->Log();
  EXPECT_EQ((*saved)[flow->client_port], (*sent)[flow->client_port]);
  EXPECT_TRUE(RunEtlCheck({PathOf(*flow, opened)}).ok());
  EXPECT_TRUE(absl::StrContains(service_->Log(), "flow saved uuid=" + flow->uuid));
  CloseFlow(*flow);
}

TEST_F(PacketHeadersNetnsTest, RawIpLinkTypeIsCapturedAndWrittenAsEthernet) {
  // A tun device is DLT_RAW (no link header): packets written to its fd arrive on it.
  const std::string& ns = net_->server_ns();
  for (const std::string& command : {
           absl::StrCat("ip -n ", ns, " tuntap add mode tun name tun-ph"),
           absl::StrCat("ip -n ", ns, " addr add 198.51.100.1/24 dev tun-ph"),
           absl::StrCat("ip -n ", ns, " link set tun-ph up"),
       }) {
    ASSERT_TRUE(::mlab::testing::Shell(command).ok()) << command;
  }
  int tun = -1;
  ASSERT_TRUE(TestNetwork::RunIn(ns, [&] {
                tun = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
                ifreq request{};
                request.ifr_flags = IFF_TUN | IFF_NO_PI;
                std::strncpy(request.ifr_name, "tun-ph", IFNAMSIZ - 1);
                if (tun >= 0 && ioctl(tun, TUNSETIFF, &request) != 0) {
                  close(tun);
                  tun = -1;
                }
              }).ok());
  ASSERT_GE(tun, 0) << "cannot attach to tun-ph";
  StartService({"-interface=tun-ph", "-closegrace=200ms"});
  EXPECT_TRUE(absl::StrContains(service_->Log(), "ip host 198.51.100.1")) << service_->Log();

  // tcp-info would report this flow; the peer's segments come in through the tun (RST+ACK, so
  // the server's stack sends nothing back and the count is exact).
  LiveFlow flow;
  flow.server_ip = "198.51.100.1";
  flow.client_ip = "198.51.100.7";
  flow.server_port = 443;
  flow.client_port = 40000;
  flow.cookie = 0xABCDEF;
  flow.uuid = absl::StrCat(kUuidPrefix, "_0000000000ABCDEF");
  const absl::Time opened = absl::Now();
  events_->Open(flow);
  FrameSpec spec;
  spec.link_type = 12;  // DLT_RAW: no link header
  spec.src = flow.client_ip;
  spec.dst = flow.server_ip;
  spec.src_port = flow.client_port;
  spec.dst_port = flow.server_port;
  spec.tcp_flags = 0x14;
  spec.payload = std::string(300, 'p');
  const std::string packet = BuildFrame(spec);
  constexpr int kPackets = 10;
  for (int i = 0; i < kPackets; ++i) {
    ASSERT_EQ(write(tun, packet.data(), packet.size()), static_cast<ssize_t>(packet.size()));
  }
  events_->Close(flow);
  const std::string path = PathOf(flow, opened);
  ASSERT_TRUE(WaitFor([&] { return !ListFiles(datadir_).empty(); }, absl::Seconds(20)))
      << service_->Log();
  close(tun);
  absl::StatusOr<PcapFile> file = ReadPcapGz(path);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->link_type, 1u);
  EXPECT_EQ(file->snaplen, 14u + 20 + 60);
  ASSERT_EQ(file->records.size(), static_cast<size_t>(kPackets));
  for (const PcapRecord& r : file->records) {
    EXPECT_EQ(r.data.substr(0, 14), std::string(12, '\0') + std::string("\x08\x00", 2));
    EXPECT_EQ(r.orig_len, 14 + packet.size());
    EXPECT_EQ(r.data.substr(14, 12), packet.substr(0, 12));  // the IP header as captured
  }
  EXPECT_EQ(NonZeroPayloadBytes(*file), 0);
  absl::Status etl = RunEtlCheck({path});
  EXPECT_TRUE(etl.ok()) << etl;
}

}  // namespace
}  // namespace mlab::packet_headers::testing
