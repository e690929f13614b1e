#include "services/ndt-server/ndt7_handler.h"

#include "absl/strings/match.h"
#include "lib/url/query.h"

namespace mlab::ndt7 {

HandshakeDecision Ndt7Handler::Decide(const HandshakeRequest& request, absl::Time now) const {
  HandshakeDecision d;
  d.direction = request.path == kUploadPath ? Direction::kUpload : Direction::kDownload;
  const url::Query query = url::Query::Parse(request.query);
  if (access_ != nullptr) {
    AccessDecision access =
        access_->Check(request.path, query.First("access_token").value_or(""), now);
    if (access.status != 200) {
      d.status = access.status;
      return d;
    }
    d.monitoring = access.monitoring;
  }
  if (std::optional<std::string> early = query.First(kEarlyExitParameterName)) {
    if (*early != kValidEarlyExitValue) {
      d.status = 400;
      d.connection_close = true;
      return d;
    }
    d.early_exit = d.direction == Direction::kDownload;
  }
  if (request.subprotocol != std::string(kSubprotocol)) {
    d.status = 400;
    d.connection_close = true;
    return d;
  }
  if (request.method != "GET") {
    d.status = 405;
    d.websocket_error = true;
    return d;
  }
  if (!request.websocket_upgrade) {
    d.status = 400;
    d.websocket_error = true;
    return d;
  }
  // Every parameter but server_* is archived, access_token included, first value only.
  for (auto& [name, value] : query.FirstValues()) {
    if (absl::StartsWith(name, "server_")) continue;
    d.client_metadata.push_back(NameValue{name, value});
  }
  return d;
}

}  // namespace mlab::ndt7
