#ifndef MLAB_SERVICES_NDT_SERVER_TOKEN_VERIFIER_H_
#define MLAB_SERVICES_NDT_SERVER_TOKEN_VERIFIER_H_

// Verifies the Locate service's access tokens (m-lab/access token/jwt.go with go-jose v4): a
// compact JWS signed with EdDSA, ES256 or RS256, the key chosen by the header's kid among public
// JWKs, then the claims checked with zero leeway.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace mlab::ndt7 {

struct JwtClaims {
  std::string issuer;
  std::string subject;
  std::vector<std::string> audience;
  std::string id;
  std::optional<int64_t> expiry;      // Unix seconds
  std::optional<int64_t> not_before;  // Unix seconds
  std::optional<int64_t> issued_at;   // Unix seconds
};

struct ExpectedClaims {
  std::string issuer = "locate";
  std::vector<std::string> any_audience;  // the token's aud must contain one of these
  absl::Time time;
};

class TokenVerifier {
 public:
  // Each entry is a JWK JSON object (or a {"keys":[...]} set). Keys must be public, of type OKP
  // (Ed25519), EC (P-256) or RSA, with unique kids.
  static absl::StatusOr<std::unique_ptr<TokenVerifier>> FromJwks(
      const std::vector<std::string>& jwks);
  ~TokenVerifier();

  // The claims of a valid token. The error message is what upstream puts into the "reason"
  // label, e.g. "go-jose/go-jose/jwt: validation failed, token is expired (exp)".
  absl::StatusOr<JwtClaims> Verify(absl::string_view token, const ExpectedClaims& expected) const;

  size_t key_count() const { return keys_.size(); }

  struct Key;  // One public key (defined in the .cc, where OpenSSL is).

 private:
  TokenVerifier() = default;
  std::map<std::string, std::unique_ptr<Key>> keys_;  // by kid
};

// Checks claims as go-jose's Claims.ValidateWithLeeway(expected, 0).
absl::Status ValidateClaims(const JwtClaims& claims, const ExpectedClaims& expected);

}  // namespace mlab::ndt7

#endif  // MLAB_SERVICES_NDT_SERVER_TOKEN_VERIFIER_H_
