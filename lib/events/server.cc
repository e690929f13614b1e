#include "lib/events/server.h"

#include <algorithm>
#include <chrono>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "glog/logging.h"
#include "grpc/grpc.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/resource_quota.h"
#include "lib/unixsocket/socket_path.h"
#include "proto/events.grpc.pb.h"

namespace mlab::events {
namespace {

// Events are a few hundred bytes; requests carry only a name.
constexpr int kMaxReceiveMessageBytes = 16 * 1024;
constexpr int kMaxSendMessageBytes = 64 * 1024;
// Threads the sync server needs besides one per stream: its pollers plus one spare.
constexpr int kPollerThreads = 3;

grpc::Status ToGrpc(const absl::Status& status) {
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

// Ends the call now with `status`, also when a Write is blocked on a client that stopped reading.
void AbortCall(grpc::ServerContext* ctx, const absl::Status& status) {
  const std::string message(status.message());
  grpc_call_cancel_with_status(ctx->c_call(), static_cast<grpc_status_code>(status.code()),
                               message.c_str(), nullptr);
}

}  // namespace

// The FlowEvents service: one sync handler thread per subscriber, fed by its Subscription.
class FlowEventService final : public FlowEvents::Service {
 public:
  FlowEventService(FlowEventPublisher* publisher, absl::Duration idle_poll)
      : publisher_(publisher), idle_poll_(idle_poll) {}

  grpc::Status Subscribe(grpc::ServerContext* ctx, const SubscribeRequest* request,
                         grpc::ServerWriter<FlowEvent>* writer) override {
    const std::string name = absl::StrCat(
        request->client_name().empty() ? "(unnamed)" : request->client_name(), "@", ctx->peer());
    absl::StatusOr<std::shared_ptr<Subscription>> sub =
        publisher_->Subscribe(name, request->skip_replay());
    if (!sub.ok()) {
      LOG(WARNING) << "flow events: refusing subscriber " << name << ": " << sub.status();
      return ToGrpc(sub.status());
    }
    if (!Track(*sub)) {
      publisher_->Unsubscribe(*sub);
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "flow event server is shutting down");
    }
    LOG(INFO) << "flow events: subscriber " << name << " connected"
              << (request->skip_replay() ? " (no replay)" : "");
    (*sub)->SetOnEnd([ctx](const absl::Status& status) { AbortCall(ctx, status); });
    const absl::Status end = Stream(ctx, writer, sub->get());
    // After ClearOnEnd nothing touches ctx from another thread any more.
    (*sub)->ClearOnEnd();
    publisher_->Unsubscribe(*sub);
    Untrack(*sub);
    LOG(INFO) << "flow events: subscriber " << name << " gone: " << end;
    return ToGrpc(end);
  }

  // Refuses new streams and ends the current ones with UNAVAILABLE.
  void EndAll() {
    std::vector<std::shared_ptr<Subscription>> active;
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
      active.assign(active_.begin(), active_.end());
    }
    for (const auto& sub : active) {
      sub->End(absl::UnavailableError("flow event server is shutting down"));
    }
  }

 private:
  // Writes queued events until the subscription ends or the client goes away.
  absl::Status Stream(grpc::ServerContext* ctx, grpc::ServerWriter<FlowEvent>* writer,
                      Subscription* sub) {
    // Early headers tell a client it is connected even before the first event.
    writer->SendInitialMetadata();
    std::vector<FlowEventPtr> batch;
    while (true) {
      batch.clear();
      absl::Status status = sub->Take(idle_poll_, &batch);
      if (!status.ok()) return status;
      if (ctx->IsCancelled()) return absl::CancelledError("subscriber went away");
      int64_t sent = 0;
      bool ok = true;
      for (size_t i = 0; i < batch.size() && ok; ++i) {
        grpc::WriteOptions options;
        // Let gRPC coalesce a backlog into few frames; the last write of a batch flushes.
        if (i + 1 < batch.size()) options.set_buffer_hint();
        ok = writer->Write(*batch[i], options);
        if (ok) ++sent;
      }
      publisher_->RecordSent(sent);
      if (!ok) {
        status = sub->status();
        return status.ok() ? absl::CancelledError("subscriber went away") : status;
      }
    }
  }

  bool Track(const std::shared_ptr<Subscription>& sub) {
    absl::MutexLock lock(&mu_);
    if (stopping_) return false;
    active_.insert(sub);
    return true;
  }

  void Untrack(const std::shared_ptr<Subscription>& sub) {
    absl::MutexLock lock(&mu_);
    active_.erase(sub);
  }

  FlowEventPublisher* const publisher_;
  const absl::Duration idle_poll_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::flat_hash_set<std::shared_ptr<Subscription>> active_ ABSL_GUARDED_BY(mu_);
};

FlowEventServer::FlowEventServer(FlowEventPublisher* publisher, std::string socket_path)
    : FlowEventServer(publisher, std::move(socket_path), Options()) {}

FlowEventServer::FlowEventServer(FlowEventPublisher* publisher, std::string socket_path,
                                 Options options)
    : publisher_(publisher), socket_path_(std::move(socket_path)), options_(options) {}

FlowEventServer::~FlowEventServer() { Shutdown(); }

absl::Status FlowEventServer::Start() {
  if (started_) return absl::FailedPreconditionError("flow event server already started");
  if (socket_path_.empty()) return absl::InvalidArgumentError("empty flow event socket path");
  if (absl::Status status = unixsocket::PrepareSocketPath(socket_path_); !status.ok()) {
    return status;
  }

  service_ = std::make_unique<FlowEventService>(publisher_, options_.idle_poll);
  grpc::ResourceQuota quota("flow-events");
  // One thread per stream: a flood of subscribers is refused instead of exhausting threads.
  quota.SetMaxThreads(std::max(publisher_->options().max_subscribers, 1) + kPollerThreads);
  grpc::ServerBuilder builder;
  builder.SetResourceQuota(quota);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::NUM_CQS, 1);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, 1);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, 2);
  builder.SetMaxReceiveMessageSize(kMaxReceiveMessageBytes);
  builder.SetMaxSendMessageSize(kMaxSendMessageBytes);
  builder.AddListeningPort("unix:" + socket_path_, grpc::InsecureServerCredentials());
  builder.RegisterService(service_.get());
  server_ = builder.BuildAndStart();
  if (server_ == nullptr) {
    return absl::UnavailableError(absl::StrCat("cannot serve flow events on ", socket_path_));
  }
  started_ = true;
  LOG(INFO) << "flow events: serving on unix:" << socket_path_;
  return absl::OkStatus();
}

void FlowEventServer::Shutdown() {
  if (server_ == nullptr) return;
  service_->EndAll();
  server_->Shutdown(std::chrono::system_clock::now() +
                    absl::ToChronoMilliseconds(options_.shutdown_deadline));
  server_->Wait();
  server_.reset();
  // gRPC normally unlinks its socket; make sure no file is left for the next Start.
  unixsocket::RemoveSocket(socket_path_);
  LOG(INFO) << "flow events: stopped serving on " << socket_path_;
}

}  // namespace mlab::events
