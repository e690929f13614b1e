#ifndef MLAB_SERVICES_TRACEROUTE_CALLER_ANNOTATOR_CLIENT_H_
#define MLAB_SERVICES_TRACEROUTE_CALLER_ANNOTATOR_CLIENT_H_

// How hop addresses get their geolocation and network annotations: uuid-annotator's Annotator
// gRPC service on a unix socket (proto/annotator.proto), one call per trace for all its new hops.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/annotation/annotation.h"

namespace mlab::trc {

// Annotations keyed by the address as it was sent; addresses the service could not parse are left
// out. The records, not the gRPC messages: the ipservice answer keeps Go's "ASNs":[] apart from
// null, which a message cannot.
using HopAnnotations = std::map<std::string, annotation::ClientAnnotations>;

class AnnotatorClient {
 public:
  virtual ~AnnotatorClient() = default;
  virtual absl::StatusOr<HopAnnotations> Annotate(const std::vector<std::string>& ips) = 0;
};

// Counts uuid_annotator_client_rpcs_total{status="success"|"get_error"} as upstream's client.
class GrpcAnnotatorClient : public AnnotatorClient {
 public:
  // `socket_path` is a unix socket path (or a "unix:" target); each call waits up to `timeout`.
  GrpcAnnotatorClient(const std::string& socket_path, absl::Duration timeout);
  ~GrpcAnnotatorClient() override;

  absl::StatusOr<HopAnnotations> Annotate(const std::vector<std::string>& ips) override;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mlab::trc

#endif  // MLAB_SERVICES_TRACEROUTE_CALLER_ANNOTATOR_CLIENT_H_
