#ifndef MLAB_SERVICES_TRACEROUTE_CALLER_TESTING_FAKE_ANNOTATOR_H_
#define MLAB_SERVICES_TRACEROUTE_CALLER_TESTING_FAKE_ANNOTATOR_H_

// A stand-in for uuid-annotator's Annotator gRPC service on a unix socket: every parseable
// address gets a fixed geolocation and a network whose ASN is the address's last number. Records
// the requests so tests can count calls and hops.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "proto/annotator.grpc.pb.h"

namespace grpc {
class Server;
}  // namespace grpc

namespace mlab::trc::testing {

// The annotation the fake gives `ip`.
mlab::annotator::Annotation FakeAnnotation(const std::string& ip);

class FakeAnnotator : public mlab::annotator::Annotator::Service {
 public:
  // Serves on `socket_path` (keep it short: unix socket paths are limited to 108 bytes).
  static absl::StatusOr<std::unique_ptr<FakeAnnotator>> Start(const std::string& socket_path);
  ~FakeAnnotator() override;

  grpc::Status Annotate(grpc::ServerContext* context,
                        const mlab::annotator::AnnotateRequest* request,
                        mlab::annotator::AnnotateResponse* response) override;

  // Every request so far, each as the list of its addresses.
  std::vector<std::vector<std::string>> requests() const;
  // Makes the following calls fail with UNAVAILABLE (or succeed again).
  void set_failing(bool failing);

 private:
  FakeAnnotator() = default;
  std::unique_ptr<grpc::Server> server_;
  mutable absl::Mutex mu_;
  std::vector<std::vector<std::string>> requests_ ABSL_GUARDED_BY(mu_);
  bool failing_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace mlab::trc::testing

#endif  // MLAB_SERVICES_TRACEROUTE_CALLER_TESTING_FAKE_ANNOTATOR_H_
