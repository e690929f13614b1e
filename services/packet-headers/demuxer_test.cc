// The demuxer and savers on synthetic packets with an injected clock: UUID binding, the
// pre-UUID caps, every way a flow ends, -maxflows and -maxheap, and the archives written.
#include "services/packet-headers/demuxer.h"

#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "lib/spool/spool_dir.h"
#include "lib/testing/small_filesystem.h"
#include "services/packet-headers/pcap_gz_writer.h"
#include "services/packet-headers/ph_metrics.h"
#include "services/packet-headers/testing/test_packets.h"

namespace mlab::packet_headers {
namespace {

using testing::BuildFrame;
using testing::Captured;
using testing::FrameSpec;
using testing::PcapFile;
using testing::ReadPcapGz;

const absl::Time kT0 =
    absl::FromCivil(absl::CivilSecond(2024, 5, 6, 12, 0, 0), absl::UTCTimeZone());

double Value(metrics::Counter& c) { return c.Value(); }

// One TCP connection: server 192.0.2.1:443, client 198.51.100.<n>:<port>.
struct TestFlow {
  int n = 7;
  uint16_t client_port = 50000;
  bool ipv6 = false;

  FrameSpec ToServer(std::string payload = "") const {
    FrameSpec s;
    s.ipv6 = ipv6;
    s.src = Client();
    s.dst = Server();
    s.src_port = client_port;
    s.dst_port = 443;
    s.payload = std::move(payload);
    return s;
  }
  FrameSpec ToClient(std::string payload = "") const {
    FrameSpec s = ToServer(std::move(payload));
    std::swap(s.src, s.dst);
    std::swap(s.src_port, s.dst_port);
    return s;
  }
  std::string Server() const { return ipv6 ? "2001:db8::1" : "192.0.2.1"; }
  std::string Client() const {
    return ipv6 ? absl::StrCat("2001:db8:1::", n) : absl::StrCat("198.51.100.", n);
  }
  FlowKey Key() const {
    return FlowKey(*IpAddress::Parse(Server()), 443, *IpAddress::Parse(Client()), client_port);
  }
  std::string Uuid() const { return absl::StrFormat("test_1_%016X", n * 65536 + client_port); }
};

class DemuxerTest : public ::testing::Test {
 protected:
  void Make(DemuxerConfig config, int64_t budget = int64_t{1} << 32, int writer_threads = 0,
            Anonymizer::Mode mode = Anonymizer::Mode::kNone) {
    // A second Make in one test: the old demuxer goes before the parts it points to (ASan).
    demuxer_.reset();
    pool_.reset();
    spool_ = std::make_unique<spool::SpoolDir>(spool_root_ + "/pcap");
    ASSERT_TRUE(spool_->Init().ok());
    anonymizer_ =
        std::make_unique<Anonymizer>(mode, std::vector<IpAddress>{*IpAddress::Parse("192.0.2.1")});
    budget_ = std::make_unique<MemoryBudget>(budget);
    pool_ = std::make_unique<WriterPool>(writer_threads);
    demuxer_ = std::make_unique<Demuxer>(config, anonymizer_.get(), budget_.get(), spool_.get(),
                                         pool_.get());
  }

  void Send(const FrameSpec& spec, absl::Time ts) {
    const std::string frame = BuildFrame(spec);
    demuxer_->OnPacket(Captured(frame, ts));
  }

  // A handshake and `data` segments each way, 1 ms apart from `start`; returns the next time.
  absl::Time Exchange(const TestFlow& f, absl::Time start, int data) {
    absl::Time t = start;
    FrameSpec syn = f.ToServer();
    syn.tcp_flags = 0x02;
    Send(syn, t += absl::Milliseconds(1));
    FrameSpec synack = f.ToClient();
    synack.tcp_flags = 0x12;
    Send(synack, t += absl::Milliseconds(1));
    Send(f.ToServer(), t += absl::Milliseconds(1));
    for (int i = 0; i < data; ++i) {
      Send(f.ToClient(std::string(1448, 'd')), t += absl::Milliseconds(1));
      Send(f.ToServer(), t += absl::Milliseconds(1));
    }
    return t;
  }

  std::string PathOf(const TestFlow& f, absl::Time date = kT0) {
    return *spool_->FinalPath(date, f.Uuid() + ".pcap.gz");
  }

  std::vector<std::string> Files() { return testing::ListFiles(spool_root_ + "/pcap"); }

  void Open(const TestFlow& f, absl::Time now) { demuxer_->OnOpen(f.Uuid(), f.Key(), kT0, now); }

  testing::TempDir dir_;
  std::string spool_root_ = dir_.path();  // The spool is <spool_root_>/pcap.
  std::unique_ptr<spool::SpoolDir> spool_;
  std::unique_ptr<Anonymizer> anonymizer_;
  std::unique_ptr<MemoryBudget> budget_;
  std::unique_ptr<WriterPool> pool_;
  std::unique_ptr<Demuxer> demuxer_;
  Metrics& m_ = GetMetrics();
};

TEST_F(DemuxerTest, PacketsBeforeTheUuidAreSavedAndTheFileAppearsAfterCloseGrace) {
  DemuxerConfig config;
  config.close_grace = absl::Seconds(1);
  Make(config);
  const double files = Value(m_.files);
  TestFlow f;
  absl::Time t = Exchange(f, kT0, 0);  // SYN, SYN-ACK, ACK before tcp-info reports the flow
  EXPECT_EQ(demuxer_->stats().waiting, 1);
  Open(f, t);
  EXPECT_EQ(demuxer_->stats().saving, 1);
  for (int i = 0; i < 5; ++i)
    Send(f.ToClient(std::string(100 + i, 'p')), t += absl::Milliseconds(1));
  demuxer_->OnClose(f.Uuid(), t);
  Send(f.ToServer(), t + absl::Milliseconds(500));  // the last ACK, inside the grace period
  demuxer_->Sweep(t + absl::Milliseconds(999));
  EXPECT_TRUE(Files().empty());
  demuxer_->Sweep(t + absl::Seconds(1));
  ASSERT_EQ(Files(), std::vector<std::string>{PathOf(f)});
  EXPECT_EQ(Value(m_.files), files + 1);

  absl::StatusOr<PcapFile> file = ReadPcapGz(PathOf(f));
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->gzip_header, std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10));
  EXPECT_EQ(file->magic, 0xA1B23C4Du);
  EXPECT_EQ(file->version_major, 2);
  EXPECT_EQ(file->version_minor, 4);
  EXPECT_EQ(file->snaplen, 94u);
  EXPECT_EQ(file->link_type, 1u);
  ASSERT_EQ(file->records.size(), 9u);
  EXPECT_EQ(testing::NonZeroPayloadBytes(*file), 0);
  int64_t previous = 0;
  for (const testing::PcapRecord& r : file->records) {
    const int64_t ns = int64_t{r.ts_sec} * 1000000000 + r.ts_frac;
    EXPECT_GT(ns, previous);
    previous = ns;
    EXPECT_LE(r.incl_len, 94u);
  }
  EXPECT_EQ(file->records[3].orig_len, 14u + 20 + 32 + 100);  // wire length kept

  // Late packets after the flow ended are not a new flow; the tombstone goes when idle.
  Send(f.ToServer(), t + absl::Seconds(2));
  EXPECT_EQ(demuxer_->stats().waiting, 0);
  EXPECT_EQ(demuxer_->stats().ended, 1);
  demuxer_->Sweep(t + absl::Seconds(40));
  EXPECT_EQ(demuxer_->stats().ended, 0);
  EXPECT_EQ(budget_->used(), 0);  // everything charged was released
  absl::Status etl = testing::RunEtlCheck(Files());
  if (etl.code() == absl::StatusCode::kNotFound) GTEST_SKIP() << etl;
  EXPECT_TRUE(etl.ok()) << etl;
}

TEST_F(DemuxerTest, OpenBeforeAnyPacketAndIdleTimeout) {
  DemuxerConfig config;
  config.flow_timeout = absl::Seconds(5);
  Make(config);
  const double gc = Value(m_.savers_garbage_collected);
  TestFlow f;
  Open(f, kT0);
  absl::Time t = Exchange(f, kT0, 3);
  demuxer_->Sweep(t + absl::Seconds(4));
  EXPECT_TRUE(Files().empty());
  demuxer_->Sweep(t + absl::Seconds(5));
  ASSERT_EQ(Files().size(), 1u);
  EXPECT_EQ(Value(m_.savers_garbage_collected), gc + 1);
  absl::StatusOr<PcapFile> file = ReadPcapGz(PathOf(f));
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->records.size(), 3u + 6u);
  EXPECT_EQ(demuxer_->stats().ended + demuxer_->stats().saving, 0);  // idle: removed entirely
  EXPECT_EQ(budget_->used(), 0);
}

TEST_F(DemuxerTest, FlowsWithoutUuidAreDroppedAfterUuidWait) {
  DemuxerConfig config;
  config.uuid_wait = absl::Seconds(5);
  Make(config);
  const double timedout = m_.saver_errors.WithLabels({"uuidtimedout"}).Value();
  absl::Time t = Exchange(TestFlow{}, kT0, 2);
  demuxer_->Sweep(kT0 + absl::Milliseconds(4999));
  EXPECT_EQ(demuxer_->stats().waiting, 1);
  demuxer_->Sweep(kT0 + absl::Seconds(5) + absl::Milliseconds(1));
  EXPECT_EQ(demuxer_->stats().waiting, 0);
  EXPECT_EQ(m_.saver_errors.WithLabels({"uuidtimedout"}).Value(), timedout + 1);
  demuxer_->FinishAll();
  EXPECT_TRUE(Files().empty());
  EXPECT_EQ(budget_->used(), 0);
  (void)t;
}

TEST_F(DemuxerTest, OpenWithoutPacketsWritesNothing) {
  DemuxerConfig config;
  config.flow_timeout = absl::Seconds(2);
  Make(config);
  const double nopackets = m_.saver_errors.WithLabels({"nopackets"}).Value();
  Open(TestFlow{}, kT0);
  demuxer_->Sweep(kT0 + absl::Seconds(2));
  EXPECT_TRUE(Files().empty());
  EXPECT_EQ(m_.saver_errors.WithLabels({"nopackets"}).Value(), nopackets + 1);
  EXPECT_EQ(budget_->used(), 0);
}

TEST_F(DemuxerTest, CaptureDurationKeepsOnlyTheFirstPart) {
  DemuxerConfig config;
  config.capture_duration = absl::Seconds(5);
  config.uuid_wait = absl::Seconds(1);
  config.flow_timeout = absl::Seconds(3);
  Make(config);
  TestFlow f;
  Open(f, kT0);
  for (int s = 0; s < 10; ++s) {
    const absl::Time t = kT0 + absl::Seconds(s) + absl::Milliseconds(500);
    Send(f.ToClient("x"), t);
    demuxer_->Sweep(kT0 + absl::Seconds(s + 1));
  }
  absl::StatusOr<PcapFile> file = ReadPcapGz(PathOf(f));
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->records.size(), 5u);      // t = 0.5 .. 4.5 s
  EXPECT_EQ(demuxer_->stats().waiting, 0);  // the rest went to the tombstone, not a new flow
}

TEST_F(DemuxerTest, PerFlowUuidWaitCapDropsLaterPackets) {
  DemuxerConfig config;
  config.max_uuidwait_flow_bytes = 4096;
  Make(config);
  const double missed = m_.missed_packets.WithLabels({"uuidwait"}).Value();
  TestFlow f;
  absl::Time t = kT0;
  for (int i = 0; i < 100; ++i)
    Send(f.ToClient(std::string(500, 'z')), t += absl::Microseconds(10));
  // Each record is 16 + 94 bytes: 37 fit in 4096.
  EXPECT_EQ(m_.missed_packets.WithLabels({"uuidwait"}).Value(), missed + 63);
  EXPECT_LE(demuxer_->stats().uuidwait_bytes, 4096 + Demuxer::kFlowOverheadBytes);
  Open(f, t);
  for (int i = 0; i < 10; ++i) Send(f.ToServer(), t += absl::Microseconds(10));
  demuxer_->FinishAll();
  absl::StatusOr<PcapFile> file = ReadPcapGz(PathOf(f));
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->records.size(), 37u + 10u);
}

TEST_F(DemuxerTest, GlobalUuidWaitCapEvictsTheOldestFlows) {
  DemuxerConfig config;
  config.max_uuidwait_bytes = 20 * (Demuxer::kFlowOverheadBytes + 512);
  Make(config);
  const double evicted = m_.flows_refused.WithLabels({"uuidwaitbytes"}).Value();
  std::vector<TestFlow> flood;
  absl::Time t = kT0;
  for (int i = 0; i < 1000; ++i) {
    TestFlow f;
    f.n = 10 + i % 200;
    f.client_port = static_cast<uint16_t>(1000 + i);
    FrameSpec syn = f.ToServer();
    syn.tcp_flags = 0x02;
    Send(syn, t += absl::Microseconds(50));
    flood.push_back(f);
  }
  const Demuxer::Stats stats = demuxer_->stats();
  EXPECT_LE(stats.uuidwait_bytes, config.max_uuidwait_bytes);
  EXPECT_GE(stats.waiting, 19);
  EXPECT_GT(m_.flows_refused.WithLabels({"uuidwaitbytes"}).Value(), evicted + 950);
  // The newest flow still has its SYN when its UUID comes; the oldest lost it.
  Open(flood.back(), t);
  Open(flood.front(), t);
  Send(flood.front().ToServer(), t + absl::Milliseconds(1));
  demuxer_->FinishAll();
  absl::StatusOr<PcapFile> newest = ReadPcapGz(PathOf(flood.back()));
  ASSERT_TRUE(newest.ok());
  EXPECT_EQ(newest->records.size(), 1u);
  absl::StatusOr<PcapFile> oldest = ReadPcapGz(PathOf(flood.front()));
  ASSERT_TRUE(oldest.ok());
  EXPECT_EQ(oldest->records.size(), 1u);  // only the packet after its Open
}

TEST_F(DemuxerTest, MaxFlowsRefusesBeyondTheLimitUntilAFlowEnds) {
  DemuxerConfig config;
  config.max_flows = 2;
  Make(config);
  const double ignored = Value(m_.ignored);
  const double refused = m_.flows_refused.WithLabels({"maxflows"}).Value();
  TestFlow a{1, 1001}, b{2, 1002}, c{3, 1003};
  absl::Time t = kT0;
  for (const TestFlow& f : {a, b, c}) t = Exchange(f, t, 1);
  Open(a, t);
  Open(b, t);
  Open(c, t);
  EXPECT_EQ(demuxer_->stats().saving, 2);
  EXPECT_EQ(demuxer_->stats().refused, 1);
  EXPECT_EQ(m_.flows_refused.WithLabels({"maxflows"}).Value(), refused + 1);
  Send(c.ToServer(), t += absl::Milliseconds(1));  // counted per packet, as upstream
  EXPECT_EQ(Value(m_.ignored), ignored + 2);
  EXPECT_EQ(demuxer_->stats().waiting, 0);

  demuxer_->OnClose(a.Uuid(), t);
  demuxer_->Sweep(t + config.close_grace);
  TestFlow d{4, 1004};
  Exchange(d, t, 1);
  Open(d, t + absl::Seconds(2));
  EXPECT_EQ(demuxer_->stats().saving, 2);  // b and d
  demuxer_->FinishAll();
  std::vector<std::string> expected = {PathOf(a), PathOf(b), PathOf(d)};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(Files(), expected);
}

TEST_F(DemuxerTest, MaxHeapRefusesNewFlowsButKeepsSavingOldOnes) {
  DemuxerConfig config;
  config.chunk_bytes = 4096;
  Make(config, /*budget=*/2 * PcapGzWriter::kStateBytes);
  const double skipped = Value(m_.saver_skipped);
  TestFlow a{1, 1001};
  absl::Time t = Exchange(a, kT0, 0);
  Open(a, t);
  for (int i = 0; i < 30; ++i) Send(a.ToServer(), t += absl::Milliseconds(1));
  // New flows take memory until they reach the new-flow threshold; then they are refused.
  for (int i = 0; i < 2000 && Value(m_.saver_skipped) == skipped; ++i) {
    Send(TestFlow{50, static_cast<uint16_t>(2000 + i)}.ToServer(), t += absl::Microseconds(1));
  }
  EXPECT_GT(Value(m_.saver_skipped), skipped);
  EXPECT_LE(budget_->used(), budget_->limit());
  // The flow being saved keeps its headroom: none of its packets is lost.
  for (int i = 0; i < 30; ++i) Send(a.ToServer(), t += absl::Milliseconds(1));
  demuxer_->FinishAll();
  absl::StatusOr<PcapFile> file = ReadPcapGz(PathOf(a));
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->records.size(), 3u + 60u);
  EXPECT_EQ(budget_->used(), Demuxer::kFlowOverheadBytes);  // a's tombstone
}

TEST_F(DemuxerTest, ReusedTupleAfterCloseIsANewFlow) {
  DemuxerConfig config;
  Make(config);
  TestFlow first{5, 4000};
  absl::Time t = Exchange(first, kT0, 1);
  Open(first, t);
  demuxer_->OnClose(first.Uuid(), t);
  demuxer_->Sweep(t + config.close_grace);
  // Same 4-tuple, new connection, new UUID (a different cookie).
  const std::string second_uuid = "test_1_00000000000000FF";
  demuxer_->OnOpen(second_uuid, first.Key(), kT0, t + absl::Seconds(2));
  Exchange(first, t + absl::Seconds(2), 2);
  demuxer_->FinishAll();
  EXPECT_EQ(Files().size(), 2u);
  absl::StatusOr<PcapFile> second = ReadPcapGz(*spool_->FinalPath(kT0, second_uuid + ".pcap.gz"));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->records.size(), 3u + 4u);
}

TEST_F(DemuxerTest, DuplicateAndConflictingUuids) {
  Make(DemuxerConfig{});
  const double missed = m_.missed_uuids.WithLabels({"uuidfound"}).Value();
  TestFlow f;
  Open(f, kT0);
  Open(f, kT0);  // the same Open again (e.g. a replay): nothing changes
  demuxer_->OnOpen("other_uuid_0000000000000001", f.Key(), kT0, kT0);
  EXPECT_EQ(m_.missed_uuids.WithLabels({"uuidfound"}).Value(), missed + 1);
  EXPECT_EQ(demuxer_->stats().saving, 1);
}

TEST_F(DemuxerTest, StreamModeWritesTheSameArchive) {
  std::string contents[2];
  for (bool stream : {false, true}) {
    SCOPED_TRACE(stream);
    DemuxerConfig config;
    config.stream = stream;
    config.chunk_bytes = 2048;  // many chunks
    Make(config);
    TestFlow f{static_cast<int>(stream) + 1, 7000};
    Open(f, kT0);
    Exchange(f, kT0, 400);
    demuxer_->FinishAll();
    absl::StatusOr<PcapFile> file = ReadPcapGz(PathOf(f));
    ASSERT_TRUE(file.ok()) << file.status();
    EXPECT_EQ(file->records.size(), 803u);
    // Only the client address differs between the two flows.
    contents[stream] = file->raw.substr(24);
  }
  EXPECT_EQ(contents[0].size(), contents[1].size());
}

// A full disk costs the flows that end while it is full (counted, no partial archive left
// anywhere), not the service: the next flow after space returns is saved whole.
TEST_F(DemuxerTest, FullDiskCostsTheFlowNotTheService) {
  if (absl::Status ns = ::mlab::testing::PrivateMountNamespace(); !ns.ok()) GTEST_SKIP() << ns;
  spool_root_ = dir_.path() + "/disk";
  auto disk_fs = ::mlab::testing::SmallFilesystem::Mount(spool_root_, 1 << 20);
  ASSERT_TRUE(disk_fs.ok()) << disk_fs.status();
  int n = 0;
  for (bool stream : {false, true}) {
    SCOPED_TRACE(stream);
    DemuxerConfig config;
    config.stream = stream;
    Make(config);
    const char* reason = stream ? "streaming" : "writefinal";
    const double errors = Value(m_.saver_errors.WithLabels({reason}));
    absl::StatusOr<std::string> filler = (*disk_fs)->Fill("filler");
    ASSERT_TRUE(filler.ok()) << filler.status();
    TestFlow lost{++n, 7000};
    Open(lost, kT0);
    Exchange(lost, kT0, 3000);  // More than one streamed write of compressed headers.
    demuxer_->FinishAll();
    EXPECT_EQ(Value(m_.saver_errors.WithLabels({reason})), errors + 1);
    EXPECT_TRUE(Files().empty());
    EXPECT_TRUE(testing::ListFiles(spool_->staging_dir()).empty());

    ASSERT_EQ(unlink(filler->c_str()), 0);
    TestFlow saved{++n, 7000};
    Open(saved, kT0);
    Exchange(saved, kT0, 3000);
    demuxer_->FinishAll();
    absl::StatusOr<PcapFile> file = ReadPcapGz(PathOf(saved));
    ASSERT_TRUE(file.ok()) << file.status();
    EXPECT_EQ(file->records.size(), 6003u);
    ASSERT_EQ(unlink(PathOf(saved).c_str()), 0);
    demuxer_->Sweep(kT0 + absl::Minutes(5));  // The two tombstones go.
    EXPECT_EQ(budget_->used(), 0);            // The failed flow gave back what it held.
  }
}

TEST_F(DemuxerTest, ManyInterleavedFlowsOnWriterThreads) {
  DemuxerConfig config;
  config.chunk_bytes = 4096;
  Make(config, int64_t{1} << 32, /*writer_threads=*/2, Anonymizer::Mode::kNetblock);
  constexpr int kFlows = 40;
  constexpr int kRounds = 150;
  std::vector<TestFlow> flows;
  for (int i = 0; i < kFlows; ++i) {
    TestFlow f{i + 1, static_cast<uint16_t>(30000 + i), i % 2 == 1};
    flows.push_back(f);
  }
  absl::Time t = kT0;
  for (int round = 0; round < kRounds; ++round) {
    for (const TestFlow& f : flows) {
      Send(round % 2 == 0 ? f.ToClient("data") : f.ToServer(), t += absl::Microseconds(7));
      if (round == 2) Open(f, t);
    }
  }
  demuxer_->FinishAll();
  pool_->WaitIdle();
  ASSERT_EQ(Files().size(), static_cast<size_t>(kFlows));
  for (const TestFlow& f : flows) {
    absl::StatusOr<PcapFile> file = ReadPcapGz(PathOf(f));
    ASSERT_TRUE(file.ok()) << file.status();
    EXPECT_EQ(file->records.size(), static_cast<size_t>(kRounds));
    EXPECT_EQ(file->snaplen, f.ipv6 ? 114u : 94u);
    EXPECT_EQ(testing::NonZeroPayloadBytes(*file), 0);
    // Netblock: the client's address is cut to /24 or /48, the server's is ours and kept.
    const std::string& first = file->records[0].data;
    if (f.ipv6) {
      EXPECT_EQ(first.substr(14 + 24, 16),
                std::string("\x20\x01\x0d\xb8\x00\x01", 6) + std::string(10, '\0'));
    } else {
      EXPECT_EQ(first.substr(14 + 12, 4), std::string("\xc0\x00\x02\x01", 4));
      EXPECT_EQ(first.substr(14 + 16, 4), std::string("\xc6\x33\x64\x00", 4));
    }
  }
  EXPECT_EQ(budget_->used(), (kFlows)*Demuxer::kFlowOverheadBytes);  // only tombstones remain
  absl::Status etl = testing::RunEtlCheck(Files());
  if (etl.code() == absl::StatusCode::kNotFound) GTEST_SKIP() << etl;
  EXPECT_TRUE(etl.ok()) << etl;
}

TEST_F(DemuxerTest, BadPacketsAreCountedNotSaved) {
  Make(DemuxerConfig{});
  const double bad = Value(m_.bad_packets);
  std::string frame = BuildFrame(FrameSpec{});
  frame[14 + 9] = 17;  // UDP
  demuxer_->OnPacket(Captured(frame, kT0));
  EXPECT_EQ(Value(m_.bad_packets), bad + 1);
  EXPECT_EQ(demuxer_->stats().waiting, 0);
}

}  // namespace
}  // namespace mlab::packet_headers
