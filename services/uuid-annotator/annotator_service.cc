#include "services/uuid-annotator/annotator_service.h"

#include <unistd.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "glog/logging.h"
#include "google/protobuf/arena.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/support/message_allocator.h"
#include "lib/annotation/proto.h"
#include "lib/unixsocket/socket_path.h"
#include "proto/annotator.grpc.pb.h"
#include "services/uuid-annotator/annotator_metrics.h"
#include "services/uuid-annotator/ip_annotator.h"

namespace mlab::uuid_annotator {
namespace {

// 10,000 addresses answer in about 3 MB; leave room for bigger batches.
constexpr int kMaxMessageBytes = 64 * 1024 * 1024;

}  // namespace

absl::Status Annotate(const Datasets& data, const mlab::annotator::AnnotateRequest& request,
                      mlab::annotator::AnnotateResponse* response) {
  auto* answers = response->mutable_annotations();
  int64_t bad = 0;
  for (const std::string& text : request.ips()) {
    std::optional<IpAddress> ip = IpAddress::Parse(text);
    if (!ip) {
      ++bad;
      continue;
    }
    // Every answer has a network, so one without is new (a repeated address is answered once).
    mlab::annotator::Annotation& answer = (*answers)[text];
    if (answer.has_network()) continue;
    annotation::ToProto(AnnotateClient(data, ip), &answer);
  }
  if (bad > 0) metrics::AnnotateRpcs().WithLabels({"badip_error"}).Add(bad);
  if (answers->empty()) {
    metrics::AnnotateRpcs().WithLabels({"bad_request_error"}).Increment();
    return absl::InvalidArgumentError(
        absl::StrCat("none of the ", request.ips_size(), " addresses is a valid IP address"));
  }
  metrics::AnnotateRpcs().WithLabels({"success"}).Increment();
  return absl::OkStatus();
}

// The callback API answers on gRPC's own threads, without the sync server's hand-off to a
// worker pool: several times the calls per second for small batches.
class AnnotatorServer::Service final : public mlab::annotator::Annotator::CallbackService {
 public:
  explicit Service(const DatasetStore* store) : store_(store) {
    SetMessageAllocatorFor_Annotate(&allocator_);
  }

  grpc::ServerUnaryReactor* Annotate(grpc::CallbackServerContext* context,
                                     const mlab::annotator::AnnotateRequest* request,
                                     mlab::annotator::AnnotateResponse* response) override {
    const std::shared_ptr<const Datasets> data = store_->Get();
    const absl::Status status = uuid_annotator::Annotate(*data, *request, response);
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(status.ok() ? grpc::Status::OK
                                : grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                                               std::string(status.message())));
    return reactor;
  }

 private:
  using Request = mlab::annotator::AnnotateRequest;
  using Response = mlab::annotator::AnnotateResponse;

  // Each call's messages live in one arena, freed at once: an answer of thousands of
  // annotations is thousands of small allocations otherwise.
  class ArenaMessages final : public grpc::MessageHolder<Request, Response> {
   public:
    ArenaMessages() {
      set_request(google::protobuf::Arena::CreateMessage<Request>(&arena_));
      set_response(google::protobuf::Arena::CreateMessage<Response>(&arena_));
    }
    void Release() override { delete this; }

   private:
    google::protobuf::Arena arena_;
  };

  class ArenaAllocator final : public grpc::MessageAllocator<Request, Response> {
   public:
    grpc::MessageHolder<Request, Response>* AllocateMessages() override {
      return new ArenaMessages();
    }
  };

  const DatasetStore* const store_;
  ArenaAllocator allocator_;
};

AnnotatorServer::AnnotatorServer(const DatasetStore* store, std::string socket_path)
    : store_(store), socket_path_(std::move(socket_path)) {}

AnnotatorServer::~AnnotatorServer() { Shutdown(); }

absl::Status AnnotatorServer::Start() {
  if (server_ != nullptr) return absl::FailedPreconditionError("already started");
  if (absl::Status s = unixsocket::PrepareSocketPath(socket_path_); !s.ok()) return s;
  service_ = std::make_unique<Service>(store_);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(absl::StrCat("unix:", socket_path_), grpc::InsecureServerCredentials());
  builder.RegisterService(service_.get());
  builder.SetMaxReceiveMessageSize(kMaxMessageBytes);
  builder.SetMaxSendMessageSize(kMaxMessageBytes);
  // Batches of thousands of addresses are megabytes: large windows and frames move them in few
  // round trips on the local socket.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 8 << 20);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_FRAME_SIZE, (1 << 24) - 1);
  server_ = builder.BuildAndStart();
  if (server_ == nullptr) {
    return absl::UnavailableError(absl::StrCat("cannot serve gRPC on unix:", socket_path_));
  }
  LOG(INFO) << "Annotator gRPC service on unix:" << socket_path_;
  return absl::OkStatus();
}

void AnnotatorServer::Shutdown() {
  if (server_ == nullptr) return;
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  server_->Wait();
  server_.reset();
  unixsocket::RemoveSocket(socket_path_);
}

}  // namespace mlab::uuid_annotator
