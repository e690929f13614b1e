#include "services/traceroute-caller/testing/fake_annotator.h"

#include <arpa/inet.h>
#include <stdlib.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "grpcpp/grpcpp.h"

namespace mlab::trc::testing {

mlab::annotator::Annotation FakeAnnotation(const std::string& ip) {
  mlab::annotator::Annotation a;
  auto* geo = a.mutable_geo();
  geo->set_continent_code("EU");
  geo->set_country_code("GB");
  geo->set_country_name("United Kingdom");
  geo->set_city("London");
  geo->set_latitude(51.5095);
  geo->set_longitude(-0.0955);
  geo->set_accuracy_radius_km(200);
  std::vector<std::string> parts = absl::StrSplit(ip, absl::ByAnyChar(".:"), absl::SkipEmpty());
  uint32_t asn = 64496;  // Documentation ASNs: 64496-64511.
  uint32_t last = 0;
  if (!parts.empty() && absl::SimpleAtoi(parts.back(), &last)) asn += last % 16;
  auto* network = a.mutable_network();
  network->set_cidr(ip + (ip.find(':') == std::string::npos ? "/32" : "/128"));
  network->set_as_number(asn);
  network->set_as_name("Test Network");
  network->add_systems()->add_asns(asn);
  return a;
}

absl::StatusOr<std::unique_ptr<FakeAnnotator>> FakeAnnotator::Start(
    const std::string& socket_path) {
  std::unique_ptr<FakeAnnotator> fake(new FakeAnnotator());
  grpc::ServerBuilder builder;
  builder.AddListeningPort("unix:" + socket_path, grpc::InsecureServerCredentials());
  builder.RegisterService(fake.get());
  fake->server_ = builder.BuildAndStart();
  if (fake->server_ == nullptr) return absl::UnavailableError("cannot serve on " + socket_path);
  return fake;
}

FakeAnnotator::~FakeAnnotator() {
  if (server_ != nullptr) server_->Shutdown();
}

grpc::Status FakeAnnotator::Annotate(grpc::ServerContext*,
                                     const mlab::annotator::AnnotateRequest* request,
                                     mlab::annotator::AnnotateResponse* response) {
  absl::MutexLock lock(&mu_);
  requests_.emplace_back(request->ips().begin(), request->ips().end());
  if (failing_) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "failing on purpose");
  for (const std::string& ip : request->ips()) {
    unsigned char buf[16];
    if (inet_pton(AF_INET, ip.c_str(), buf) != 1 && inet_pton(AF_INET6, ip.c_str(), buf) != 1) {
      continue;
    }
    (*response->mutable_annotations())[ip] = FakeAnnotation(ip);
  }
  return grpc::Status::OK;
}

std::vector<std::vector<std::string>> FakeAnnotator::requests() const {
  absl::MutexLock lock(&mu_);
  return requests_;
}

void FakeAnnotator::set_failing(bool failing) {
  absl::MutexLock lock(&mu_);
  failing_ = failing;
}

}  // namespace mlab::trc::testing
