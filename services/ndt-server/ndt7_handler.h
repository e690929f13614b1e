#ifndef MLAB_SERVICES_NDT_SERVER_NDT7_HANDLER_H_
#define MLAB_SERVICES_NDT_SERVER_NDT7_HANDLER_H_

// The HTTP side of an ndt7 request, before any WebSocket byte: which status upstream would
// answer, or the parameters of the test to run after the upgrade.

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/ndt-server/access_control.h"
#include "services/ndt-server/result.h"
#include "services/ndt-server/spec.h"

namespace mlab::ndt7 {

struct HandshakeRequest {
  std::string method;                      // "GET"
  std::string path;                        // before '?'
  std::string query;                       // after '?', raw
  std::optional<std::string> subprotocol;  // first Sec-WebSocket-Protocol value
  bool websocket_upgrade = false;          // Connection: upgrade and Upgrade: websocket
};

struct HandshakeDecision {
  // 0 means "upgrade and run the test"; otherwise the HTTP status to answer with an empty body.
  int status = 0;
  bool connection_close = false;  // upstream adds "Connection: Close" to its 400s
  bool websocket_error = false;   // counted as ndt7_client_connections_total{websocket-error}
  Direction direction = Direction::kDownload;
  bool monitoring = false;
  bool early_exit = false;
  std::vector<NameValue> client_metadata;
};

class Ndt7Handler {
 public:
  // `access` may be null (no admission control at all).
  explicit Ndt7Handler(const AccessControl* access) : access_(access) {}

  static bool IsNdt7Path(absl::string_view path) {
    return path == kDownloadPath || path == kUploadPath;
  }

  // Runs upstream's checks in order: token (401), tx rate on downloads (503), early_exit (400),
  // subprotocol (400), then what gorilla's Upgrader rejects (405 non-GET, 400 not an upgrade).
  HandshakeDecision Decide(const HandshakeRequest& request, absl::Time now) const;

 private:
  const AccessControl* access_;
};

}  // namespace mlab::ndt7

#endif  // MLAB_SERVICES_NDT_SERVER_NDT7_HANDLER_H_
