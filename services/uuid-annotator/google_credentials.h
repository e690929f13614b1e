// OAuth2 access tokens for Google Cloud Storage, from Application Default Credentials as
// upstream's Go client finds them: $GOOGLE_APPLICATION_CREDENTIALS (a service account key, as
// M-Lab's manifests mount, or an authorized user), else the GCE/GKE metadata server.
#ifndef MLAB_SERVICES_UUID_ANNOTATOR_GOOGLE_CREDENTIALS_H_
#define MLAB_SERVICES_UUID_ANNOTATOR_GOOGLE_CREDENTIALS_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace mlab::uuid_annotator {

inline constexpr char kStorageReadScope[] = "https://www.googleapis.com/auth/devstorage.read_only";

class GoogleCredentials {
 public:
  // The process's credentials: none with $STORAGE_EMULATOR_HOST (an emulator takes no token),
  // else the $GOOGLE_APPLICATION_CREDENTIALS file, else the metadata server (anonymous requests,
  // for public buckets, when it does not answer).
  static std::shared_ptr<GoogleCredentials> Default();

  // A credentials file's content: {"type":"service_account", client_email, private_key,
  // token_uri} or {"type":"authorized_user", client_id, client_secret, refresh_token}.
  static absl::StatusOr<std::unique_ptr<GoogleCredentials>> FromJson(absl::string_view json);
  // The metadata server at `base` ($GCE_METADATA_HOST or metadata.google.internal).
  static std::unique_ptr<GoogleCredentials> FromMetadataServer(std::string base);
  static std::unique_ptr<GoogleCredentials> Anonymous();
  // Fails every request with `status` (e.g. an unreadable credentials file), so reloads report it.
  static std::unique_ptr<GoogleCredentials> Broken(absl::Status status);

  // The Authorization header ("Authorization: Bearer ..."), or "" for anonymous requests. Tokens
  // are cached until five minutes before they expire. Thread-safe.
  absl::StatusOr<std::string> AuthorizationHeader() ABSL_LOCKS_EXCLUDED(mu_);

  // The signed JWT a service account exchanges for a token (exposed for tests).
  absl::StatusOr<std::string> ServiceAccountAssertion(absl::Time now) const;

 private:
  enum class Kind { kAnonymous, kBroken, kServiceAccount, kAuthorizedUser, kMetadata };
  explicit GoogleCredentials(Kind kind) : kind_(kind) {}

  absl::StatusOr<std::string> FetchToken(absl::Duration* lifetime) const;

  Kind kind_;
  absl::Status broken_;
  std::string email_;                                      // service account
  std::string private_key_;                                // service account, PEM
  std::string token_uri_;                                  // service account, authorized user
  std::string client_id_, client_secret_, refresh_token_;  // authorized user
  std::string metadata_base_;

  absl::Mutex mu_;
  std::string token_ ABSL_GUARDED_BY(mu_);
  absl::Time expiry_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace mlab::uuid_annotator

#endif  // MLAB_SERVICES_UUID_ANNOTATOR_GOOGLE_CREDENTIALS_H_
