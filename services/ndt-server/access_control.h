#ifndef MLAB_SERVICES_NDT_SERVER_ACCESS_CONTROL_H_
#define MLAB_SERVICES_NDT_SERVER_ACCESS_CONTROL_H_

// Admission of ndt7 requests, in upstream's order: the token controller (401) on both paths,
// then the transmit-rate controller (503) on downloads only.

#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/ndt-server/token_verifier.h"
#include "services/ndt-server/tx_controller.h"

namespace mlab::ndt7 {

struct AccessDecision {
  int status = 200;         // 200 (go on), 401 or 503
  bool monitoring = false;  // the token's subject is "monitoring"
};

class AccessControl {
 public:
  // `verifier` may be null (no token controller: tokens are then ignored, as upstream does
  // when no keys are configured and tokens are not required). `tx` may be null.
  AccessControl(std::unique_ptr<TokenVerifier> verifier, bool token_required, std::string machine,
                std::unique_ptr<TxController> tx);

  // `access_token` is the first value of the query parameter, or "" when absent.
  AccessDecision Check(absl::string_view path, absl::string_view access_token,
                       absl::Time now) const;

 private:
  std::unique_ptr<TokenVerifier> verifier_;
  bool token_required_;
  std::string machine_;
  std::unique_ptr<TxController> tx_;
};

}  // namespace mlab::ndt7

#endif  // MLAB_SERVICES_NDT_SERVER_ACCESS_CONTROL_H_
