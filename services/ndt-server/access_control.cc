#include "services/ndt-server/access_control.h"

#include "services/ndt-server/ndt7_metrics.h"
#include "services/ndt-server/spec.h"

namespace mlab::ndt7 {

AccessControl::AccessControl(std::unique_ptr<TokenVerifier> verifier, bool token_required,
                             std::string machine, std::unique_ptr<TxController> tx)
    : verifier_(std::move(verifier)),
      token_required_(token_required),
      machine_(std::move(machine)),
      tx_(std::move(tx)) {}

AccessDecision AccessControl::Check(absl::string_view path, absl::string_view access_token,
                                    absl::Time now) const {
  AccessDecision decision;
  const bool ndt7_path = path == kDownloadPath || path == kUploadPath;
  if (verifier_ != nullptr) {
    auto& requests = metrics::TokenRequests();
    if (!ndt7_path) {
      requests.WithLabels({"unknown", "accepted", "unenforced-path"}).Increment();
    } else if (access_token.empty() && !token_required_) {
      requests.WithLabels({std::string(path), "accepted", "empty"}).Increment();
    } else if (access_token.empty()) {
      requests.WithLabels({std::string(path), "rejected", "missing"}).Increment();
      decision.status = 401;
      return decision;
    } else {
      ExpectedClaims expected;
      expected.any_audience = {machine_};
      expected.time = now;
      absl::StatusOr<JwtClaims> claims = verifier_->Verify(access_token, expected);
      if (!claims.ok()) {
        requests.WithLabels({std::string(path), "rejected", std::string(claims.status().message())})
            .Increment();
        decision.status = 401;
        return decision;
      }
      requests.WithLabels({std::string(path), "accepted", claims->issuer}).Increment();
      decision.monitoring = claims->subject == "monitoring";
    }
  }
  if (tx_ != nullptr && path == kDownloadPath && tx_->IsLimited(decision.monitoring)) {
    decision.status = 503;
  }
  return decision;
}

}  // namespace mlab::ndt7
