#include "services/uuid-annotator/google_credentials.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <rapidjson/document.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "glog/logging.h"
#include "lib/json/go_encoding.h"
#include "services/uuid-annotator/http_client.h"

namespace mlab::uuid_annotator {
namespace {

constexpr char kDefaultTokenUri[] = "https://oauth2.googleapis.com/token";

std::string JsonString(const rapidjson::Value& obj, const char* key) {
  if (!obj.IsObject()) return "";
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || !it->value.IsString()) return "";
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

std::string Quoted(absl::string_view s) {
  std::string out;
  json::AppendGoString(s, &out);
  return out;
}

absl::StatusOr<std::string> SignRs256(absl::string_view pem, absl::string_view data) {
  std::unique_ptr<BIO, int (*)(BIO*)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                                          BIO_free);
  std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> key(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
  if (!key) return absl::InvalidArgumentError("credentials: private_key is not a PEM key");
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  size_t length = 0;
  if (EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_DigestSignUpdate(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_DigestSignFinal(ctx.get(), nullptr, &length) != 1) {
    return absl::InternalError("credentials: signing failed");
  }
  std::string signature(length, '\0');
  if (EVP_DigestSignFinal(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length) !=
      1) {
    return absl::InternalError("credentials: signing failed");
  }
  signature.resize(length);
  return signature;
}

// Parses an OAuth2 token response: the token and its lifetime.
absl::StatusOr<std::string> ParseToken(const HttpResponse& response, absl::string_view from,
                                       absl::Duration* lifetime) {
  if (response.status != 200) {
    return absl::UnauthenticatedError(
        absl::StrCat("token from ", from, ": HTTP status ", response.status));
  }
  rapidjson::Document doc;
  doc.Parse(response.body.data(), response.body.size());
  const std::string token = doc.HasParseError() ? "" : JsonString(doc, "access_token");
  if (token.empty()) {
    return absl::UnauthenticatedError(absl::StrCat("token from ", from, ": no access_token"));
  }
  *lifetime = absl::Seconds(3600);
  if (auto it = doc.FindMember("expires_in"); it != doc.MemberEnd() && it->value.IsNumber()) {
    *lifetime = absl::Seconds(it->value.GetDouble());
  }
  return token;
}

}  // namespace

std::shared_ptr<GoogleCredentials> GoogleCredentials::Default() {
  static std::shared_ptr<GoogleCredentials>* creds = [] {
    auto* out = new std::shared_ptr<GoogleCredentials>();
    if (const char* emulator = getenv("STORAGE_EMULATOR_HOST"); emulator && *emulator) {
      *out = Anonymous();
      return out;
    }
    if (const char* file = getenv("GOOGLE_APPLICATION_CREDENTIALS"); file && *file) {
      std::ifstream in(file, std::ios::binary);
      std::ostringstream content;
      content << in.rdbuf();
      absl::StatusOr<std::unique_ptr<GoogleCredentials>> parsed =
          in.good() || in.eof() ? FromJson(content.str())
                                : absl::StatusOr<std::unique_ptr<GoogleCredentials>>(
                                      absl::NotFoundError(absl::StrCat("cannot read ", file)));
      if (parsed.ok()) {
        *out = *std::move(parsed);
      } else {
        LOG(ERROR) << "GOOGLE_APPLICATION_CREDENTIALS=" << file << ": " << parsed.status();
        *out = Broken(parsed.status());
      }
      return out;
    }
    const char* host = getenv("GCE_METADATA_HOST");
    *out = FromMetadataServer(
        absl::StrCat("http://", host && *host ? host : "metadata.google.internal"));
    return out;
  }();
  return *creds;
}

absl::StatusOr<std::unique_ptr<GoogleCredentials>> GoogleCredentials::FromJson(
    absl::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    return absl::InvalidArgumentError("credentials: not a JSON object");
  }
  const std::string type = JsonString(doc, "type");
  if (type == "service_account") {
    std::unique_ptr<GoogleCredentials> c(new GoogleCredentials(Kind::kServiceAccount));
    c->email_ = JsonString(doc, "client_email");
    c->private_key_ = JsonString(doc, "private_key");
    c->token_uri_ = JsonString(doc, "token_uri");
    if (c->token_uri_.empty()) c->token_uri_ = kDefaultTokenUri;
    if (c->email_.empty() || c->private_key_.empty()) {
      return absl::InvalidArgumentError("credentials: service account without email or key");
    }
    if (!c->ServiceAccountAssertion(absl::Now()).ok()) {
      return absl::InvalidArgumentError("credentials: service account key cannot sign");
    }
    return c;
  }
  if (type == "authorized_user") {
    std::unique_ptr<GoogleCredentials> c(new GoogleCredentials(Kind::kAuthorizedUser));
    c->client_id_ = JsonString(doc, "client_id");
    c->client_secret_ = JsonString(doc, "client_secret");
    c->refresh_token_ = JsonString(doc, "refresh_token");
    c->token_uri_ = JsonString(doc, "token_uri");
    if (c->token_uri_.empty()) c->token_uri_ = kDefaultTokenUri;
    if (c->refresh_token_.empty()) {
      return absl::InvalidArgumentError("credentials: authorized user without refresh_token");
    }
    return c;
  }
  return absl::InvalidArgumentError(absl::StrCat("credentials: unsupported type \"", type, "\""));
}

std::unique_ptr<GoogleCredentials> GoogleCredentials::FromMetadataServer(std::string base) {
  std::unique_ptr<GoogleCredentials> c(new GoogleCredentials(Kind::kMetadata));
  c->metadata_base_ = std::move(base);
  return c;
}

std::unique_ptr<GoogleCredentials> GoogleCredentials::Anonymous() {
  return std::unique_ptr<GoogleCredentials>(new GoogleCredentials(Kind::kAnonymous));
}

std::unique_ptr<GoogleCredentials> GoogleCredentials::Broken(absl::Status status) {
  std::unique_ptr<GoogleCredentials> c(new GoogleCredentials(Kind::kBroken));
  c->broken_ = std::move(status);
  return c;
}

absl::StatusOr<std::string> GoogleCredentials::ServiceAccountAssertion(absl::Time now) const {
  const int64_t iat = absl::ToUnixSeconds(now);
  const std::string header = absl::WebSafeBase64Escape(R"({"alg":"RS256","typ":"JWT"})");
  const std::string claims = absl::WebSafeBase64Escape(absl::StrCat(
      "{\"iss\":", Quoted(email_), ",\"scope\":", Quoted(kStorageReadScope),
      ",\"aud\":", Quoted(token_uri_), ",\"iat\":", iat, ",\"exp\":", iat + 3600, "}"));
  const std::string signing_input = absl::StrCat(header, ".", claims);
  absl::StatusOr<std::string> signature = SignRs256(private_key_, signing_input);
  if (!signature.ok()) return signature.status();
  return absl::StrCat(signing_input, ".", absl::WebSafeBase64Escape(*signature));
}

absl::StatusOr<std::string> GoogleCredentials::FetchToken(absl::Duration* lifetime) const {
  HttpRequest request;
  request.timeout = absl::Seconds(30);
  request.max_body_bytes = 1 << 20;
  switch (kind_) {
    case Kind::kServiceAccount: {
      absl::StatusOr<std::string> jwt = ServiceAccountAssertion(absl::Now());
      if (!jwt.ok()) return jwt.status();
      request.url = token_uri_;
      request.post = true;
      request.body = absl::StrCat(
          "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=", *jwt);
      break;
    }
    case Kind::kAuthorizedUser:
      request.url = token_uri_;
      request.post = true;
      request.body = absl::StrCat("grant_type=refresh_token&client_id=", UrlEncode(client_id_),
                                  "&client_secret=", UrlEncode(client_secret_),
                                  "&refresh_token=", UrlEncode(refresh_token_));
      break;
    case Kind::kMetadata:
      request.url = absl::StrCat(metadata_base_,
                                 "/computeMetadata/v1/instance/service-accounts/default/token");
      request.headers.push_back("Metadata-Flavor: Google");
      request.timeout = absl::Seconds(3);
      break;
    default:
      return absl::InternalError("no token for these credentials");
  }
  absl::StatusOr<HttpResponse> response = HttpFetch(request);
  if (!response.ok()) return response.status();
  return ParseToken(*response, request.url, lifetime);
}

absl::StatusOr<std::string> GoogleCredentials::AuthorizationHeader() {
  if (kind_ == Kind::kAnonymous) return std::string();
  if (kind_ == Kind::kBroken) return broken_;
  absl::MutexLock lock(&mu_);
  const absl::Time now = absl::Now();
  if (!token_.empty() && now < expiry_) return absl::StrCat("Authorization: Bearer ", token_);
  absl::Duration lifetime;
  absl::StatusOr<std::string> token = FetchToken(&lifetime);
  if (!token.ok()) {
    if (kind_ == Kind::kMetadata && absl::IsUnavailable(token.status())) {
      // Not on GCE: try without a token (public buckets), as gsutil does.
      LOG_FIRST_N(WARNING, 1) << "no Google credentials (" << token.status()
                              << "); requesting gs:// objects anonymously";
      return std::string();
    }
    return token.status();
  }
  token_ = *std::move(token);
  expiry_ = now + lifetime - absl::Minutes(5);
  return absl::StrCat("Authorization: Bearer ", token_);
}

}  // namespace mlab::uuid_annotator
