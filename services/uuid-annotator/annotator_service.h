// The gRPC Annotator service on a unix socket: a batch of addresses in, their geo and network
// annotations out (what upstream's ipservice answers, for traceroute-caller's hop annotations).
#ifndef MLAB_SERVICES_UUID_ANNOTATOR_ANNOTATOR_SERVICE_H_
#define MLAB_SERVICES_UUID_ANNOTATOR_ANNOTATOR_SERVICE_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "proto/annotator.pb.h"
#include "services/uuid-annotator/datasets.h"

namespace grpc {
class Server;
}  // namespace grpc

namespace mlab::uuid_annotator {

// Answers one request from `data`: unparsable addresses are left out (and counted); no usable
// address at all is INVALID_ARGUMENT, as upstream answers 400.
absl::Status Annotate(const Datasets& data, const mlab::annotator::AnnotateRequest& request,
                      mlab::annotator::AnnotateResponse* response);

class AnnotatorServer {
 public:
  // `store` must outlive the server.
  AnnotatorServer(const DatasetStore* store, std::string socket_path);
  ~AnnotatorServer();  // Shutdown()

  // Creates the socket's directory, removes a stale socket and serves.
  absl::Status Start();
  // Stops serving and removes the socket. Idempotent.
  void Shutdown();

  const std::string& socket_path() const { return socket_path_; }

 private:
  class Service;
  const DatasetStore* const store_;
  const std::string socket_path_;
  std::unique_ptr<Service> service_;
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace mlab::uuid_annotator

#endif  // MLAB_SERVICES_UUID_ANNOTATOR_ANNOTATOR_SERVICE_H_
