#include "lib/events/server.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "lib/events/publisher.h"
#include "lib/events/test_util.h"
#include "proto/events.grpc.pb.h"

namespace mlab::events {
namespace {

using ::mlab::events::testing::ShortTempDir;
using ::mlab::events::testing::TestSocketId;
using ::mlab::events::testing::TestUuid;
using ::mlab::events::testing::WaitFor;

// A Subscribe call made with a plain generated stub, on its own connection.
class RawStream {
 public:
  RawStream(const std::string& socket_path, bool skip_replay = false, bool small_window = false) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    // Without BDP probing the stream window stays at 64 KiB, so a non-reader backs up quickly.
    if (small_window) args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
    channel_ =
        grpc::CreateCustomChannel("unix:" + socket_path, grpc::InsecureChannelCredentials(), args);
    stub_ = FlowEvents::NewStub(channel_);
    // A generous deadline only so a broken test cannot hang forever.
    context_.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
    SubscribeRequest request;
    request.set_client_name("raw-test");
    request.set_skip_replay(skip_replay);
    reader_ = stub_->Subscribe(&context_, request);
  }

  bool Read(FlowEvent* event) { return reader_->Read(event); }

  // Reads until the stream ends and returns its status.
  grpc::Status Drain(int* count = nullptr) {
    FlowEvent event;
    int n = 0;
    while (reader_->Read(&event)) ++n;
    if (count != nullptr) *count = n;
    return reader_->Finish();
  }

  // Reads the replay: the replayed uuids, up to and including REPLAY_COMPLETE.
  absl::flat_hash_set<std::string> ReadReplay() {
    absl::flat_hash_set<std::string> uuids;
    FlowEvent event;
    while (Read(&event)) {
      if (event.type() == FlowEvent::REPLAY_COMPLETE) return uuids;
      EXPECT_EQ(event.type(), FlowEvent::OPEN);
      EXPECT_TRUE(event.replayed());
      uuids.insert(event.uuid());
    }
    ADD_FAILURE() << "stream ended during the replay";
    return uuids;
  }

  void Cancel() { context_.TryCancel(); }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<FlowEvents::Stub> stub_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<FlowEvent>> reader_;
};

void Open(FlowEventPublisher& publisher, uint64_t n) {
  publisher.PublishOpen(absl::Now(), TestUuid(n), TestSocketId(n));
}

void Close(FlowEventPublisher& publisher, uint64_t n) {
  publisher.PublishClose(absl::Now(), TestUuid(n), TestSocketId(n));
}

bool IsSocket(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
}

class FlowEventServerTest : public ::testing::Test {
 protected:
  ShortTempDir dir_;
  const std::string path_ = dir_.File("events.sock");
};

TEST_F(FlowEventServerTest, ReplayThenMarkerThenLiveInOrder) {
  FlowEventPublisher publisher;
  Open(publisher, 1);
  Open(publisher, 2);
  Open(publisher, 3);
  Close(publisher, 2);
  FlowEventServer server(&publisher, path_);
  ASSERT_TRUE(server.Start().ok());

  RawStream stream(path_);
  EXPECT_EQ(stream.ReadReplay(), (absl::flat_hash_set<std::string>{TestUuid(1), TestUuid(3)}));
  Open(publisher, 4);
  Close(publisher, 1);
  Close(publisher, 4);
  FlowEvent event;
  ASSERT_TRUE(stream.Read(&event));
  EXPECT_EQ(event.type(), FlowEvent::OPEN);
  EXPECT_FALSE(event.replayed());
  EXPECT_EQ(event.uuid(), TestUuid(4));
  EXPECT_EQ(event.id().cookie(), 4u);
  EXPECT_EQ(event.id().src_ip(), "192.0.2.1");
  ASSERT_TRUE(stream.Read(&event));
  EXPECT_EQ(event.type(), FlowEvent::CLOSE);
  EXPECT_EQ(event.uuid(), TestUuid(1));
  ASSERT_TRUE(stream.Read(&event));
  EXPECT_EQ(event.type(), FlowEvent::CLOSE);
  EXPECT_EQ(event.uuid(), TestUuid(4));

  // 2 replayed + marker + 3 live.
  EXPECT_TRUE(WaitFor([&] { return publisher.stats().events_sent_total == 6; }));
  EXPECT_EQ(publisher.stats().subscribers_current, 1);
}

TEST_F(FlowEventServerTest, SkipReplayStartsWithLiveEvents) {
  FlowEventPublisher publisher;
  Open(publisher, 1);
  FlowEventServer server(&publisher, path_);
  ASSERT_TRUE(server.Start().ok());
  RawStream stream(path_, /*skip_replay=*/true);
  ASSERT_TRUE(WaitFor([&] { return publisher.stats().subscribers_current == 1; }));
  Open(publisher, 2);
  FlowEvent event;
  ASSERT_TRUE(stream.Read(&event));
  EXPECT_EQ(event.type(), FlowEvent::OPEN);
  EXPECT_EQ(event.uuid(), TestUuid(2));
}

TEST_F(FlowEventServerTest, ReconnectingClientGetsTheReplayAgain) {
  FlowEventPublisher publisher;
  Open(publisher, 1);
  Open(publisher, 2);
  auto server = std::make_unique<FlowEventServer>(&publisher, path_);
  ASSERT_TRUE(server->Start().ok());
  {
    RawStream stream(path_);
    EXPECT_EQ(stream.ReadReplay().size(), 2u);
    // Server restarts on the same path: the stream ends UNAVAILABLE.
    server->Shutdown();
    EXPECT_EQ(stream.Drain().error_code(), grpc::StatusCode::UNAVAILABLE);
  }
  Close(publisher, 1);
  Open(publisher, 3);
  server = std::make_unique<FlowEventServer>(&publisher, path_);
  ASSERT_TRUE(server->Start().ok());
  {
    RawStream stream(path_);
    EXPECT_EQ(stream.ReadReplay(), (absl::flat_hash_set<std::string>{TestUuid(2), TestUuid(3)}));
    // The client cancels its own stream and subscribes again.
    stream.Cancel();
    EXPECT_EQ(stream.Drain().error_code(), grpc::StatusCode::CANCELLED);
  }
  RawStream again(path_);
  EXPECT_EQ(again.ReadReplay(), (absl::flat_hash_set<std::string>{TestUuid(2), TestUuid(3)}));
  EXPECT_TRUE(WaitFor([&] { return publisher.stats().subscribers_current == 1; }));
  EXPECT_EQ(publisher.stats().subscribers_accepted_total, 3);
}

TEST_F(FlowEventServerTest, StuckSubscriberIsDroppedWithoutDelayingOthers) {
  FlowEventPublisher::Options options;
  options.queue_capacity = 1000;
  FlowEventPublisher publisher(options);
  FlowEventServer server(&publisher, path_);
  ASSERT_TRUE(server.Start().ok());

  RawStream stuck(path_, /*skip_replay=*/false,
                  /*small_window=*/true);  // never reads until the end
  RawStream good(path_);
  ASSERT_TRUE(WaitFor([&] { return publisher.stats().subscribers_current == 2; }));

  constexpr int kEvents = 20000;
  constexpr int kBatch = 500;  // the good reader catches up between batches (below its queue)
  std::atomic<int> good_live{0};
  std::thread reader([&] {
    FlowEvent event;
    int expected = 0;
    while (good_live.load() < kEvents && good.Read(&event)) {
      if (event.type() == FlowEvent::REPLAY_COMPLETE) continue;
      ASSERT_EQ(event.uuid(), TestUuid(expected)) << "good subscriber missed or reordered";
      ++expected;
      good_live.store(expected);
    }
  });

  absl::Duration slowest, total;
  int slowest_index = -1;
  for (int i = 0; i < kEvents; ++i) {
    const absl::Time start = absl::Now();
    Open(publisher, i);
    const absl::Duration took = absl::Now() - start;
    total += took;
    if (took > slowest) {
      slowest = took;
      slowest_index = i;
    }
    if ((i + 1) % kBatch == 0) {
      ASSERT_TRUE(WaitFor([&] { return good_live.load() == i + 1; })) << "good reader stalled";
    }
  }
  reader.join();
  EXPECT_EQ(good_live.load(), kEvents);
  std::cerr << "publish: total " << total << " slowest " << slowest << " (event " << slowest_index
            << ")\n";
  // A publish blocked on the stuck subscriber would never return; these bounds are loose.
  EXPECT_LT(slowest, absl::Seconds(1));
  EXPECT_LT(total, absl::Seconds(5));

  PublisherStats stats = publisher.stats();
  EXPECT_EQ(stats.subscribers_dropped_total, 1);
  EXPECT_EQ(stats.subscribers_accepted_total, 2);
  EXPECT_TRUE(WaitFor([&] { return publisher.stats().subscribers_current == 1; }));

  int stuck_read = 0;
  grpc::Status status = stuck.Drain(&stuck_read);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
  EXPECT_LT(stuck_read, kEvents);
  std::cerr << "stuck subscriber read " << stuck_read
            << " events before: " << status.error_message() << "\n";
}

TEST_F(FlowEventServerTest, RefusesSubscribersBeyondTheMaximum) {
  FlowEventPublisher::Options options;
  options.max_subscribers = 2;
  FlowEventPublisher publisher(options);
  FlowEventServer server(&publisher, path_);
  ASSERT_TRUE(server.Start().ok());
  RawStream a(path_);
  RawStream b(path_);
  EXPECT_TRUE(a.ReadReplay().empty());
  EXPECT_TRUE(b.ReadReplay().empty());
  RawStream c(path_);
  EXPECT_EQ(c.Drain().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(publisher.stats().subscribers_rejected_total, 1);
}

TEST_F(FlowEventServerTest, RemovesAStaleSocketFile) {
  {
    // A socket file nobody listens on, as left by a crashed server.
    const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_un addr = {};
    addr.sun_family = AF_UNIX;
    strncpy(addr.sun_path, path_.c_str(), sizeof(addr.sun_path) - 1);
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    close(fd);
  }
  ASSERT_TRUE(IsSocket(path_));
  FlowEventPublisher publisher;
  Open(publisher, 1);
  FlowEventServer server(&publisher, path_);
  ASSERT_TRUE(server.Start().ok());
  RawStream stream(path_);
  EXPECT_EQ(stream.ReadReplay().size(), 1u);
}

TEST_F(FlowEventServerTest, RefusesToRemoveANonSocketFile) {
  { std::ofstream(path_) << "precious"; }
  FlowEventPublisher publisher;
  FlowEventServer server(&publisher, path_);
  absl::Status status = server.Start();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  std::ifstream in(path_);
  std::string content;
  in >> content;
  EXPECT_EQ(content, "precious");
}

TEST_F(FlowEventServerTest, RefusesAPathALiveServerUses) {
  FlowEventPublisher publisher;
  FlowEventServer first(&publisher, path_);
  ASSERT_TRUE(first.Start().ok());
  FlowEventServer second(&publisher, path_);
  EXPECT_EQ(second.Start().code(), absl::StatusCode::kAlreadyExists);
  RawStream stream(path_);
  EXPECT_TRUE(stream.ReadReplay().empty());
}

TEST_F(FlowEventServerTest, ShutdownEndsStreamsPromptlyAndRemovesTheSocket) {
  FlowEventPublisher publisher;
  FlowEventServer server(&publisher, path_);
  ASSERT_TRUE(server.Start().ok());
  EXPECT_TRUE(IsSocket(path_));
  RawStream idle(path_);
  RawStream stuck(path_, false, /*small_window=*/true);
  EXPECT_TRUE(idle.ReadReplay().empty());
  ASSERT_TRUE(WaitFor([&] { return publisher.stats().subscribers_current == 2; }));
  // Back up the non-reading stream so its handler is blocked in Write.
  for (int i = 0; i < 3000; ++i) Open(publisher, i);
  EXPECT_TRUE(WaitFor([&] { return publisher.stats().events_sent_total > 3000; }));

  const absl::Time start = absl::Now();
  server.Shutdown();
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  EXPECT_FALSE(IsSocket(path_));
  EXPECT_NE(idle.Drain().error_code(), grpc::StatusCode::OK);
  EXPECT_NE(stuck.Drain().error_code(), grpc::StatusCode::OK);
  EXPECT_EQ(publisher.stats().subscribers_current, 0);
  server.Shutdown();  // idempotent
}

TEST_F(FlowEventServerTest, StartTwiceFails) {
  FlowEventPublisher publisher;
  FlowEventServer server(&publisher, path_);
  ASSERT_TRUE(server.Start().ok());
  EXPECT_EQ(server.Start().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace mlab::events
