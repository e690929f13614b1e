// Flow events in, annotation2 files out: through the real FlowEvents gRPC stream (lib/events'
// publisher and server standing in for tcp-info), including tcp-info restarting mid-run.
#include "services/uuid-annotator/annotation_writer.h"

#include <unistd.h>

#include <cstdio>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "lib/events/flow_event.h"
#include "lib/events/publisher.h"
#include "lib/events/server.h"
#include "lib/events/subscriber.h"
#include "lib/testing/small_filesystem.h"
#include "services/uuid-annotator/annotator_metrics.h"
#include "services/uuid-annotator/test_datasets.h"
#include "services/uuid-annotator/test_util.h"

namespace mlab::uuid_annotator {
namespace {

using testing::kServerV4;
using testing::ListFiles;
using testing::ReadFileOrDie;
using testing::TempDir;
using testing::WaitFor;

std::string Uuid(int n) { return absl::StrFormat("ndt-test_1585004303_%016X", n); }

events::SocketID Id(int n, const char* client = "2.125.160.216") {
  events::SocketID id;
  id.set_src_ip(kServerV4);
  id.set_dst_ip(client);
  id.set_src_port(443);
  id.set_dst_port(40000 + n);
  id.set_cookie(n);
  return id;
}

// 2020-04-03T00:00:02.663132563Z, as in ETL's sample.
const absl::Time kTime = absl::FromUnixNanos(1585872002663132563);

class AnnotationWriterTest : public ::testing::Test {
 protected:
  AnnotationWriterTest()
      : locals_([]() -> absl::StatusOr<std::vector<IpAddress>> {
          return std::vector<IpAddress>{*IpAddress::Parse(kServerV4)};
        }),
        annotator_(&store_, &locals_),
        spool_(dir_.File("annotation2")) {
    testing::FillStore(&store_, FastData());
    EXPECT_TRUE(locals_.Refresh().ok());
    EXPECT_TRUE(spool_.Init().ok());
  }

  static testing::TestDatasetOptions FastData() {
    testing::TestDatasetOptions options;
    options.full_routeviews = false;
    return options;
  }

  static events::FlowEventSubscriber::Options Fast() {
    events::FlowEventSubscriber::Options options;
    options.client_name = "annotation-writer-test";
    options.initial_backoff = absl::Milliseconds(5);
    options.max_backoff = absl::Milliseconds(50);
    return options;
  }

  std::string PathOf(int n) const {
    return absl::StrCat(spool_.datadir(), "/2020/04/03/", Uuid(n), ".json");
  }

  std::vector<std::string> Files() const { return ListFiles(spool_.datadir()); }

  TempDir dir_;
  DatasetStore store_;
  LocalAddresses locals_;
  FlowAnnotator annotator_;
  spool::SpoolDir spool_;
};

TEST_F(AnnotationWriterTest, EachOpenBecomesOneFileAndClosesNone) {
  AnnotationWriter writer(&annotator_, &spool_, {});
  writer.Start();
  events::FlowEventPublisher publisher;
  events::FlowEventServer server(&publisher, dir_.File("events.sock"));
  ASSERT_TRUE(server.Start().ok());
  publisher.PublishOpen(kTime, Uuid(1), Id(1));  // Replayed to the subscriber.
  events::FlowEventSubscriber subscriber(server.socket_path(), &writer, Fast());
  ASSERT_TRUE(subscriber.Start().ok());
  // The replayed flow arrives once the subscription exists; live events follow it.
  ASSERT_TRUE(WaitFor([&] { return writer.stats().written == 1; }));
  publisher.PublishOpen(kTime, Uuid(2), Id(2, "81.2.69.142"));
  publisher.PublishClose(kTime, Uuid(1), Id(1));
  publisher.PublishClose(kTime, Uuid(3), Id(3));
  ASSERT_TRUE(WaitFor([&] { return writer.stats().written == 2; }));
  ASSERT_TRUE(writer.WaitIdle(absl::Seconds(10)));
  EXPECT_EQ(Files(), (std::vector<std::string>{"2020/04/03/" + Uuid(1) + ".json",
                                               "2020/04/03/" + Uuid(2) + ".json"}));
  const std::string first = ReadFileOrDie(PathOf(1));
  EXPECT_TRUE(absl::StartsWith(
      first,
      R"({"UUID":"ndt-test_1585004303_0000000000000001","Timestamp":"2020-04-03T00:00:02.663132563Z","Server":{"Site":"lga03")"))
      << first;
  EXPECT_NE(first.find(R"("Client":{"Geo":{"ContinentCode":"EU","CountryCode":"GB")"),
            std::string::npos);
  EXPECT_NE(ReadFileOrDie(PathOf(2)).find(R"("City":"London")"), std::string::npos);
  // Nothing is left in the spool's staging directory.
  EXPECT_TRUE(ListFiles(spool_.staging_dir()).empty());
  subscriber.Stop();
  server.Shutdown();
}

// Killing and restarting tcp-info: the subscriber reconnects, the new tcp-info's replay of flows
// still open is not annotated again, and flows opened after the restart are.
TEST_F(AnnotationWriterTest, EventSourceRestartResumesAndAnnotatesEachFlowOnce) {
  AnnotationWriter writer(&annotator_, &spool_, {});
  writer.Start();
  const std::string socket = dir_.File("events.sock");
  auto publisher = std::make_unique<events::FlowEventPublisher>();
  auto server = std::make_unique<events::FlowEventServer>(publisher.get(), socket);
  ASSERT_TRUE(server->Start().ok());
  events::FlowEventSubscriber subscriber(socket, &writer, Fast());
  ASSERT_TRUE(subscriber.Start().ok());
  for (int n = 1; n <= 3; ++n) publisher->PublishOpen(kTime, Uuid(n), Id(n));
  ASSERT_TRUE(WaitFor([&] { return writer.stats().written == 3; }));

  // tcp-info dies. While it is down nothing arrives; the kernel keeps flows 1-3 open.
  server->Shutdown();
  server.reset();
  publisher = std::make_unique<events::FlowEventPublisher>();
  // The new tcp-info finds flows 1 and 2 still open (3 closed meanwhile), and a new flow 4.
  publisher->PublishOpen(kTime, Uuid(1), Id(1));
  publisher->PublishOpen(kTime, Uuid(2), Id(2));
  publisher->PublishOpen(kTime, Uuid(4), Id(4));
  server = std::make_unique<events::FlowEventServer>(publisher.get(), socket);
  ASSERT_TRUE(server->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return writer.stats().written == 4; }));
  // Live events after the restart are annotated too.
  publisher->PublishOpen(kTime, Uuid(5), Id(5));
  ASSERT_TRUE(WaitFor([&] { return writer.stats().written == 5; }));
  ASSERT_TRUE(WaitFor([&] { return subscriber.stats().connections_total >= 2; }));
  ASSERT_TRUE(writer.WaitIdle(absl::Seconds(10)));

  EXPECT_EQ(Files().size(), 5u);
  // Each flow once: the replayed 1 and 2 never reached the writer a second time.
  EXPECT_EQ(writer.stats().already_annotated, 0);
  EXPECT_EQ(writer.stats().write_failed, 0);
  subscriber.Stop();
  server->Shutdown();
}

TEST_F(AnnotationWriterTest, MalformedEventsAreCountedNeverFatal) {
  AnnotationWriter writer(&annotator_, &spool_, {});
  writer.Start();
  const double before = metrics::MalformedEvents().WithLabels({"bad-uuid"}).Value();
  events::FlowEvent bad =
      events::MakeFlowEvent(events::FlowEvent::OPEN, kTime, "../../etc/x", Id(1));
  writer.OnOpen(bad);
  writer.OnOpen(events::MakeFlowEvent(events::FlowEvent::OPEN, kTime, "", Id(1)));
  events::FlowEvent no_id;
  no_id.set_type(events::FlowEvent::OPEN);
  no_id.set_uuid(Uuid(7));
  *no_id.mutable_timestamp() =
      events::MakeFlowEvent(events::FlowEvent::OPEN, kTime, "x", Id(1)).timestamp();
  writer.OnOpen(no_id);
  events::FlowEvent bad_ips = events::MakeFlowEvent(events::FlowEvent::OPEN, kTime, Uuid(8), Id(8));
  bad_ips.mutable_id()->set_src_ip("garbage");
  bad_ips.mutable_id()->set_dst_ip("");
  writer.OnOpen(bad_ips);
  ASSERT_TRUE(writer.WaitIdle(absl::Seconds(10)));
  EXPECT_EQ(metrics::MalformedEvents().WithLabels({"bad-uuid"}).Value() - before, 1);
  EXPECT_EQ(writer.stats().malformed, 3);
  // Upstream writes a file for every Open, even with nothing to annotate.
  EXPECT_EQ(Files(), (std::vector<std::string>{"2020/04/03/" + Uuid(7) + ".json",
                                               "2020/04/03/" + Uuid(8) + ".json"}));
  EXPECT_EQ(
      ReadFileOrDie(PathOf(7)),
      R"({"UUID":"ndt-test_1585004303_0000000000000007","Timestamp":"2020-04-03T00:00:02.663132563Z","Server":{},"Client":{}})");
}

TEST_F(AnnotationWriterTest, FullQueueDropsAndCounts) {
  AnnotationWriter::Options options;
  options.queue_size = 2;
  AnnotationWriter writer(&annotator_, &spool_, options);  // Not started: nothing drains.
  const double before = metrics::MissedUuids().WithLabels({"pipefull"}).Value();
  for (int n = 1; n <= 5; ++n) {
    writer.OnOpen(events::MakeFlowEvent(events::FlowEvent::OPEN, kTime, Uuid(n), Id(n)));
  }
  EXPECT_EQ(writer.queue_length(), 2u);
  EXPECT_EQ(writer.stats().dropped, 3);
  EXPECT_EQ(metrics::MissedUuids().WithLabels({"pipefull"}).Value() - before, 3);
  writer.Start();
  writer.Stop();  // Writes what was queued.
  EXPECT_EQ(writer.stats().written, 2);
}

TEST_F(AnnotationWriterTest, ExistingFileIsNeverOverwritten) {
  AnnotationWriter writer(&annotator_, &spool_, {});
  writer.Start();
  writer.OnOpen(events::MakeFlowEvent(events::FlowEvent::OPEN, kTime, Uuid(1), Id(1)));
  ASSERT_TRUE(writer.WaitIdle(absl::Seconds(10)));
  const std::string original = ReadFileOrDie(PathOf(1));
  writer.OnOpen(
      events::MakeFlowEvent(events::FlowEvent::OPEN, kTime, Uuid(1), Id(1, "81.2.69.142")));
  ASSERT_TRUE(writer.WaitIdle(absl::Seconds(10)));
  EXPECT_EQ(writer.stats().already_annotated, 1);
  EXPECT_EQ(ReadFileOrDie(PathOf(1)), original);
}

TEST_F(AnnotationWriterTest, ARestartDoesNotAnnotateAgainWhatPusherAlreadyUploaded) {
  AnnotationWriter::Options options;
  options.annotated_log = dir_.File("state/annotated.log");
  {
    AnnotationWriter before(&annotator_, &spool_, options);
    before.Start();
    before.OnOpen(events::MakeFlowEvent(events::FlowEvent::OPEN, kTime, Uuid(1), Id(1)));
    ASSERT_TRUE(before.WaitIdle(absl::Seconds(10)));
  }
  ASSERT_EQ(std::remove(PathOf(1).c_str()), 0);  // uploaded and deleted by pusher
  // The restarted annotator gets tcp-info's replay of the still-open flow, and a new one.
  AnnotationWriter after(&annotator_, &spool_, options);
  after.Start();
  after.OnOpen(events::MakeFlowEvent(events::FlowEvent::OPEN, kTime, Uuid(1), Id(1)));
  after.OnOpen(events::MakeFlowEvent(events::FlowEvent::OPEN, kTime, Uuid(2), Id(2)));
  ASSERT_TRUE(after.WaitIdle(absl::Seconds(10)));
  EXPECT_EQ(after.stats().already_annotated, 1);
  EXPECT_EQ(after.stats().written, 1);
  EXPECT_EQ(Files(), std::vector<std::string>{"2020/04/03/" + Uuid(2) + ".json"});
}

TEST_F(AnnotationWriterTest, WriteFailureIsCounted) {
  // A datadir that cannot be created: a file where the date directory should go.
  testing::WriteFileOrDie(spool_.datadir() + "/2020", "in the way");
  AnnotationWriter writer(&annotator_, &spool_, {});
  writer.Start();
  const double before = metrics::MissedUuids().WithLabels({"writefail"}).Value();
  writer.OnOpen(events::MakeFlowEvent(events::FlowEvent::OPEN, kTime, Uuid(1), Id(1)));
  ASSERT_TRUE(writer.WaitIdle(absl::Seconds(10)));
  EXPECT_EQ(writer.stats().write_failed, 1);
  EXPECT_EQ(metrics::MissedUuids().WithLabels({"writefail"}).Value() - before, 1);
}

// A full disk (the annotated log shares it with the spool, as deployed): refused annotations are
// held and written once there is room, nothing half-written is ever left, one still refused at
// shutdown is counted as missed, and tcp-info's replay after the restart writes exactly that one.
TEST_F(AnnotationWriterTest, AFullDiskLosesNoAnnotationThatCanBeWrittenLater) {
  if (absl::Status s = ::mlab::testing::PrivateMountNamespace(); !s.ok()) GTEST_SKIP() << s;
  auto disk = ::mlab::testing::SmallFilesystem::Mount(dir_.File("disk"), 256 * 1024);
  ASSERT_TRUE(disk.ok()) << disk.status();
  spool::SpoolDir spool(dir_.File("disk/annotation2"));
  ASSERT_TRUE(spool.Init().ok());
  AnnotationWriter::Options options;
  options.annotated_log = dir_.File("disk/.uuid-annotator/annotated.log");
  options.retry.first_retry = absl::Milliseconds(10);
  options.retry.max_retry = absl::Milliseconds(100);
  auto open = [](int n) {
    return events::MakeFlowEvent(events::FlowEvent::OPEN, kTime, Uuid(n), Id(n));
  };
  auto file = [](int n) { return "2020/04/03/" + Uuid(n) + ".json"; };
  const double missed_before = metrics::MissedUuids().WithLabels({"writefail"}).Value();
  {
    AnnotationWriter writer(&annotator_, &spool, options);
    writer.Start();
    writer.OnOpen(open(1));
    ASSERT_TRUE(writer.WaitIdle(absl::Seconds(10)));
    absl::StatusOr<std::string> filler = (*disk)->Fill("filler");
    ASSERT_TRUE(filler.ok()) << filler.status();
    writer.OnOpen(open(2));
    writer.OnOpen(open(3));
    ASSERT_TRUE(writer.WaitIdle(absl::Seconds(10)));
    EXPECT_EQ(writer.stats().held, 2);
    EXPECT_EQ(ListFiles(spool.datadir()), std::vector<std::string>{file(1)});
    EXPECT_TRUE(ListFiles(spool.staging_dir()).empty());

    ASSERT_EQ(unlink(filler->c_str()), 0);
    ASSERT_TRUE(writer.WaitUntilNoneHeld(absl::Seconds(30)));
    EXPECT_EQ(writer.stats().written, 3);
    EXPECT_EQ(ListFiles(spool.datadir()), (std::vector<std::string>{file(1), file(2), file(3)}));

    // Full again, and still full at shutdown: the last attempt fails and the UUID is missed.
    filler = (*disk)->Fill("filler");
    ASSERT_TRUE(filler.ok()) << filler.status();
    writer.OnOpen(open(4));
    ASSERT_TRUE(writer.WaitIdle(absl::Seconds(10)));
    writer.Stop();
    EXPECT_EQ(writer.stats().held, 3);
    EXPECT_EQ(writer.stats().write_failed, 1);
    EXPECT_EQ(metrics::MissedUuids().WithLabels({"writefail"}).Value() - missed_before, 1);
    ASSERT_EQ(unlink(filler->c_str()), 0);
  }
  // Restarted: tcp-info replays every flow still open.
  AnnotationWriter after(&annotator_, &spool, options);
  after.Start();
  for (int n = 1; n <= 4; ++n) after.OnOpen(open(n));
  ASSERT_TRUE(after.WaitIdle(absl::Seconds(10)));
  EXPECT_EQ(after.stats().written, 1);  // 4
  EXPECT_EQ(after.stats().already_annotated, 3);
  std::vector<std::string> files = ListFiles(spool.datadir());
  ASSERT_EQ(files, (std::vector<std::string>{file(1), file(2), file(3), file(4)}));
  for (const std::string& f : files) {
    EXPECT_NE(ReadFileOrDie(spool.datadir() + "/" + f).find(R"("Client":{"Geo")"),
              std::string::npos)
        << f;
  }
}

// M-Lab's ETL parser (the Go harness built by tools/setup) accepts the files we write.
TEST_F(AnnotationWriterTest, EtlParsesOurFiles) {
  const char* peers = getenv("MLAB_PEERS");
  const std::string check =
      absl::StrCat(peers != nullptr ? peers : "/usr/local/lib/mlab-peers", "/bin/etl-check");
  ASSERT_EQ(access(check.c_str(), X_OK), 0) << check << " missing: run tools/setup";
  AnnotationWriter writer(&annotator_, &spool_, {});
  writer.Start();
  const char* clients[] = {"2.125.160.216", "223.252.176.1", "127.0.0.1",
                           "89.160.20.112", "not-an-ip",     "198.51.100.1"};
  for (int n = 0; n < 6; ++n) {
    writer.OnOpen(
        events::MakeFlowEvent(events::FlowEvent::OPEN, kTime, Uuid(n + 1), Id(n + 1, clients[n])));
  }
  events::FlowEvent unknown = events::MakeFlowEvent(events::FlowEvent::OPEN, kTime, Uuid(9), Id(9));
  unknown.mutable_id()->set_src_ip("198.51.100.2");
  writer.OnOpen(unknown);
  ASSERT_TRUE(writer.WaitIdle(absl::Seconds(10)));
  ASSERT_EQ(Files().size(), 7u);
  for (const char* strict : {"", "-strict "}) {
    std::string command = absl::StrCat(check, " -type=annotation2 ", strict);
    for (const std::string& file : Files())
      absl::StrAppend(&command, spool_.datadir(), "/", file, " ");
    FILE* pipe = popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string output;
    char buf[4096];
    while (size_t n = fread(buf, 1, sizeof(buf), pipe)) output.append(buf, n);
    const int status = pclose(pipe);
    EXPECT_EQ(status, 0) << command << "\n" << output;
    // One JSON line per file, each ok with one row.
    int ok_lines = 0;
    for (size_t pos = 0; (pos = output.find("\"ok\":true", pos)) != std::string::npos; ++pos) {
      ++ok_lines;
    }
    EXPECT_EQ(ok_lines, 7) << output;
  }
}

}  // namespace
}  // namespace mlab::uuid_annotator
