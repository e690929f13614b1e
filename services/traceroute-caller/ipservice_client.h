#ifndef MLAB_SERVICES_TRACEROUTE_CALLER_IPSERVICE_CLIENT_H_
#define MLAB_SERVICES_TRACEROUTE_CALLER_IPSERVICE_CLIENT_H_

// Upstream's annotation protocol, for running beside M-Lab's Go uuid-annotator (-ipservice.sock
// with -annotator.socket=""): HTTP/1.1 `GET /v1/annotate/ips?ip=A&ip=B` over a unix socket,
// answered with a JSON object mapping each address as sent to {"Geo":{...},"Network":{...}}.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/traceroute-caller/annotator_client.h"

namespace mlab::trc {

class IpServiceClient : public AnnotatorClient {
 public:
  IpServiceClient(std::string socket_path, absl::Duration timeout);

  absl::StatusOr<HopAnnotations> Annotate(const std::vector<std::string>& ips) override;

 private:
  const std::string socket_path_;
  const absl::Duration timeout_;
};

// The request upstream's client sends for `ips`.
std::string IpServiceRequest(const std::vector<std::string>& ips);

// The body of an HTTP/1.1 response (Content-Length, chunked, or up to the end); fails unless the
// status is 200.
absl::StatusOr<std::string> HttpResponseBody(absl::string_view response);

// Decodes the JSON reply as Go's json.Unmarshal into map[string]*annotator.ClientAnnotations.
absl::StatusOr<HopAnnotations> ParseIpServiceReply(absl::string_view body);

}  // namespace mlab::trc

#endif  // MLAB_SERVICES_TRACEROUTE_CALLER_IPSERVICE_CLIENT_H_
