#include "lib/events/subscriber.h"

#include <algorithm>
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/match.h"
#include "glog/logging.h"
#include "grpcpp/grpcpp.h"
#include "proto/events.grpc.pb.h"

namespace mlab::events {
namespace {

absl::Status FromGrpc(const grpc::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

std::string ToTarget(std::string path) {
  if (absl::StartsWith(path, "unix:")) return path;
  return "unix:" + path;
}

}  // namespace

FlowEventSubscriber::FlowEventSubscriber(std::string socket_path, FlowEventHandler* handler)
    : FlowEventSubscriber(std::move(socket_path), handler, Options()) {}

FlowEventSubscriber::FlowEventSubscriber(std::string socket_path, FlowEventHandler* handler,
                                         Options options)
    : target_(ToTarget(std::move(socket_path))),
      handler_(handler),
      options_(std::move(options)),
      tracker_(handler) {}

FlowEventSubscriber::~FlowEventSubscriber() { Stop(); }

absl::Status FlowEventSubscriber::Start() {
  if (handler_ == nullptr) return absl::InvalidArgumentError("flow event subscriber: no handler");
  absl::MutexLock lock(&mu_);
  if (started_) return absl::FailedPreconditionError("flow event subscriber already started");
  started_ = true;
  thread_ = std::thread([this] { Run(); });
  return absl::OkStatus();
}

void FlowEventSubscriber::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    // Unblocks a Read; a context whose call has not started yet cancels the call when it does.
    if (context_ != nullptr) context_->TryCancel();
    cv_.SignalAll();
  }
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

FlowEventSubscriber::Stats FlowEventSubscriber::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

void FlowEventSubscriber::Run() {
  absl::BitGen rng;
  absl::Duration backoff = options_.initial_backoff;
  int failures = 0;
  while (true) {
    if (ConnectAndStream()) {
      backoff = options_.initial_backoff;
      failures = 0;
    } else if (++failures % 30 == 1) {
      LOG(WARNING) << "flow events: cannot subscribe at " << target_ << " (" << failures
                   << " attempts so far); retrying";
    }
    const double jitter = std::clamp(options_.jitter, 0.0, 1.0);
    const absl::Duration wait = backoff * absl::Uniform(rng, 1.0 - jitter, 1.0 + jitter);
    if (!Sleep(wait)) return;
    backoff = std::min(backoff * std::max(options_.backoff_multiplier, 1.0), options_.max_backoff);
  }
}

bool FlowEventSubscriber::Sleep(absl::Duration wait) {
  const absl::Time deadline = absl::Now() + wait;
  absl::MutexLock lock(&mu_);
  while (!stopping_ && !cv_.WaitWithDeadline(&mu_, deadline)) {
  }
  return !stopping_;
}

bool FlowEventSubscriber::ConnectAndStream() {
  grpc::ChannelArguments args;
  // A fresh channel with its own subchannel connects at once instead of inheriting gRPC's
  // reconnect backoff (up to two minutes) from an earlier failed attempt.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS,
              std::max<int64_t>(absl::ToInt64Milliseconds(options_.initial_backoff), 1));
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS,
              std::max<int64_t>(absl::ToInt64Milliseconds(options_.max_backoff), 1));
  std::shared_ptr<grpc::Channel> channel =
      grpc::CreateCustomChannel(target_, grpc::InsecureChannelCredentials(), args);
  std::unique_ptr<FlowEvents::Stub> stub = FlowEvents::NewStub(channel);

  grpc::ClientContext context;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return false;
    context_ = &context;
  }
  SubscribeRequest request;
  request.set_client_name(options_.client_name);
  std::unique_ptr<grpc::ClientReader<FlowEvent>> reader = stub->Subscribe(&context, request);

  bool connected = false;
  FlowEvent event;
  while (reader->Read(&event)) {
    if (!connected) {
      connected = true;
      {
        absl::MutexLock lock(&mu_);
        stats_.connected = true;
        ++stats_.connections_total;
      }
      LOG(INFO) << "flow events: subscribed at " << target_;
      tracker_.BeginConnection();
      handler_->OnConnected();
    }
    tracker_.Process(event, absl::Now());
    absl::MutexLock lock(&mu_);
    ++stats_.events_received_total;
    stats_.flows = tracker_.counters();
  }
  const absl::Status status = FromGrpc(reader->Finish());
  bool stopping;
  {
    absl::MutexLock lock(&mu_);
    context_ = nullptr;
    stopping = stopping_;
    stats_.connected = false;
    if (!connected) ++stats_.connect_failures_total;
  }
  if (connected) {
    LOG_IF(WARNING, !stopping) << "flow events: stream from " << target_ << " ended: " << status;
    handler_->OnDisconnected(status);
  } else {
    VLOG(1) << "flow events: subscribing at " << target_ << " failed: " << status;
  }
  return connected;
}

}  // namespace mlab::events
