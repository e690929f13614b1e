#ifndef MLAB_SERVICES_PUSHER_GCS_AUTH_H_
#define MLAB_SERVICES_PUSHER_GCS_AUTH_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/pusher/http_client.h"

namespace mlab::pusher {

// OAuth2 access tokens for the GCS JSON API, cached until shortly before they expire.
// Thread-safe.
class TokenSource {
 public:
  virtual ~TokenSource() = default;

  absl::StatusOr<std::string> Token() ABSL_LOCKS_EXCLUDED(mu_);
  // Forgets the cached token (after a 401).
  void Invalidate() ABSL_LOCKS_EXCLUDED(mu_);

 protected:
  struct Fetched {
    std::string token;
    absl::Duration lifetime;
  };
  virtual absl::StatusOr<Fetched> Fetch(HttpClient& http) = 0;

 private:
  absl::Mutex mu_;
  HttpClient http_ ABSL_GUARDED_BY(mu_);
  std::string token_ ABSL_GUARDED_BY(mu_);
  absl::Time expiry_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

// A service-account key file (what GOOGLE_APPLICATION_CREDENTIALS names): signs a JWT with the
// key's RSA private key (RS256) and exchanges it at the key's token_uri.
class ServiceAccountTokenSource : public TokenSource {
 public:
  static absl::StatusOr<std::unique_ptr<ServiceAccountTokenSource>> FromFile(
      const std::string& path);
  static absl::StatusOr<std::unique_ptr<ServiceAccountTokenSource>> FromJson(
      absl::string_view json);

  // The signed assertion for `now` (exposed for tests).
  absl::StatusOr<std::string> MakeAssertion(absl::Time now) const;

 protected:
  absl::StatusOr<Fetched> Fetch(HttpClient& http) override;

 private:
  std::string client_email_;
  std::string private_key_pem_;
  std::string token_uri_;
};

// The GCE/GKE metadata server (host configurable, like GCE_METADATA_HOST).
class MetadataTokenSource : public TokenSource {
 public:
  explicit MetadataTokenSource(std::string host) : host_(std::move(host)) {}

 protected:
  absl::StatusOr<Fetched> Fetch(HttpClient& http) override;

 private:
  const std::string host_;
};

// "RS256" JSON Web Signature of `signing_input` with a PEM private key, base64url, no padding.
absl::StatusOr<std::string> SignRs256(absl::string_view signing_input,
                                      absl::string_view private_key_pem);

// Reads {"access_token": ..., "expires_in": N} from a token endpoint's response.
absl::StatusOr<std::pair<std::string, absl::Duration>> ParseTokenResponse(absl::string_view json);

}  // namespace mlab::pusher

#endif  // MLAB_SERVICES_PUSHER_GCS_AUTH_H_
