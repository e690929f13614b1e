#include "services/traceroute-caller/annotator_client.h"

#include <chrono>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "lib/annotation/proto.h"
#include "proto/annotator.grpc.pb.h"
#include "services/traceroute-caller/trace_metrics.h"

namespace mlab::trc {

class GrpcAnnotatorClient::Impl {
 public:
  Impl(const std::string& socket_path, absl::Duration timeout)
      : stub_(mlab::annotator::Annotator::NewStub(grpc::CreateChannel(
            absl::StartsWith(socket_path, "unix:") ? socket_path
                                                   : absl::StrCat("unix:", socket_path),
            grpc::InsecureChannelCredentials()))),
        timeout_(timeout) {}

  absl::StatusOr<HopAnnotations> Annotate(const std::vector<std::string>& ips) {
    mlab::annotator::AnnotateRequest request;
    for (const std::string& ip : ips) request.add_ips(ip);
    mlab::annotator::AnnotateResponse response;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::milliseconds(absl::ToInt64Milliseconds(timeout_)));
    grpc::Status status = stub_->Annotate(&context, request, &response);
    auto& rpcs = TraceMetrics::Get().annotator_rpcs;
    if (!status.ok()) {
      rpcs.WithLabels({"get_error"}).Increment();
      return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                          absl::StrCat("Annotate: ", status.error_message()));
    }
    rpcs.WithLabels({"success"}).Increment();
    HopAnnotations out;
    for (const auto& [ip, message] : response.annotations()) {
      out.emplace(ip, annotation::FromProto(message));
    }
    return out;
  }

 private:
  std::unique_ptr<mlab::annotator::Annotator::Stub> stub_;
  const absl::Duration timeout_;
};

GrpcAnnotatorClient::GrpcAnnotatorClient(const std::string& socket_path, absl::Duration timeout)
    : impl_(std::make_unique<Impl>(socket_path, timeout)) {}

GrpcAnnotatorClient::~GrpcAnnotatorClient() = default;

absl::StatusOr<HopAnnotations> GrpcAnnotatorClient::Annotate(const std::vector<std::string>& ips) {
  return impl_->Annotate(ips);
}

}  // namespace mlab::trc
