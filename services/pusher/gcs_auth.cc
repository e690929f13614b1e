#include "services/pusher/gcs_auth.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "rapidjson/document.h"

namespace mlab::pusher {
namespace {

constexpr char kScope[] = "https://www.googleapis.com/auth/devstorage.read_write";
constexpr char kDefaultTokenUri[] = "https://oauth2.googleapis.com/token";
// Refresh this long before the token expires so no request carries a stale one.
constexpr absl::Duration kEarly = absl::Minutes(5);

std::string Base64Url(absl::string_view data) {
  std::string out;
  absl::WebSafeBase64Escape(data, &out);  // No padding.
  return out;
}

std::string JsonString(absl::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (static_cast<unsigned char>(c) < 0x20) {
      absl::StrAppend(&out, "\\u00", absl::BytesToHexString(std::string(1, c)));
      continue;
    }
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

}  // namespace

absl::StatusOr<std::string> TokenSource::Token() {
  absl::MutexLock lock(&mu_);
  absl::Time now = absl::Now();
  if (!token_.empty() && now < expiry_) return token_;
  absl::StatusOr<Fetched> fetched = Fetch(http_);
  if (!fetched.ok()) return fetched.status();
  token_ = fetched->token;
  expiry_ = now + std::max(fetched->lifetime - kEarly, fetched->lifetime / 2);
  return token_;
}

void TokenSource::Invalidate() {
  absl::MutexLock lock(&mu_);
  token_.clear();
}

absl::StatusOr<std::pair<std::string, absl::Duration>> ParseTokenResponse(absl::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("access_token") ||
      !doc["access_token"].IsString()) {
    return absl::UnavailableError(
        absl::StrCat("token response without access_token: ", json.substr(0, 200)));
  }
  absl::Duration lifetime = absl::Hours(1);
  if (doc.HasMember("expires_in") && doc["expires_in"].IsNumber()) {
    lifetime = absl::Seconds(doc["expires_in"].GetDouble());
  }
  return std::make_pair(std::string(doc["access_token"].GetString()), lifetime);
}

absl::StatusOr<std::string> SignRs256(absl::string_view signing_input,
                                      absl::string_view private_key_pem) {
  BIO* bio = BIO_new_mem_buf(private_key_pem.data(), static_cast<int>(private_key_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (key == nullptr) return absl::InvalidArgumentError("unreadable service-account private key");
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t len = 0;
  std::string signature;
  bool ok = EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestSign(ctx, nullptr, &len,
                           reinterpret_cast<const unsigned char*>(signing_input.data()),
                           signing_input.size()) == 1;
  if (ok) {
    signature.resize(len);
    ok = EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &len,
                        reinterpret_cast<const unsigned char*>(signing_input.data()),
                        signing_input.size()) == 1;
    signature.resize(len);
  }
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  if (!ok) return absl::InternalError("RS256 signing failed");
  return Base64Url(signature);
}

absl::StatusOr<std::unique_ptr<ServiceAccountTokenSource>> ServiceAccountTokenSource::FromFile(
    const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read credentials file ", path));
  std::stringstream text;
  text << in.rdbuf();
  return FromJson(text.str());
}

absl::StatusOr<std::unique_ptr<ServiceAccountTokenSource>> ServiceAccountTokenSource::FromJson(
    absl::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    return absl::InvalidArgumentError("credentials file is not JSON");
  }
  auto get = [&doc](const char* key) -> std::string {
    return doc.HasMember(key) && doc[key].IsString() ? doc[key].GetString() : "";
  };
  if (get("type") != "service_account") {
    return absl::InvalidArgumentError(
        absl::StrCat("credentials type \"", get("type"), "\" is not service_account"));
  }
  auto source = std::unique_ptr<ServiceAccountTokenSource>(new ServiceAccountTokenSource());
  source->client_email_ = get("client_email");
  source->private_key_pem_ = get("private_key");
  source->token_uri_ = get("token_uri");
  if (source->token_uri_.empty()) source->token_uri_ = kDefaultTokenUri;
  if (source->client_email_.empty() || source->private_key_pem_.empty()) {
    return absl::InvalidArgumentError("credentials lack client_email or private_key");
  }
  if (absl::StatusOr<std::string> probe = SignRs256("probe", source->private_key_pem_);
      !probe.ok()) {
    return probe.status();
  }
  return source;
}

absl::StatusOr<std::string> ServiceAccountTokenSource::MakeAssertion(absl::Time now) const {
  int64_t iat = absl::ToUnixSeconds(now);
  std::string header = Base64Url(R"({"alg":"RS256","typ":"JWT"})");
  std::string claims = Base64Url(absl::StrCat(
      "{\"iss\":", JsonString(client_email_), ",\"scope\":", JsonString(kScope),
      ",\"aud\":", JsonString(token_uri_), ",\"iat\":", iat, ",\"exp\":", iat + 3600, "}"));
  std::string signing_input = absl::StrCat(header, ".", claims);
  absl::StatusOr<std::string> signature = SignRs256(signing_input, private_key_pem_);
  if (!signature.ok()) return signature.status();
  return absl::StrCat(signing_input, ".", *signature);
}

absl::StatusOr<TokenSource::Fetched> ServiceAccountTokenSource::Fetch(HttpClient& http) {
  absl::StatusOr<std::string> assertion = MakeAssertion(absl::Now());
  if (!assertion.ok()) return assertion.status();
  std::string form =
      absl::StrCat("grant_type=", UrlEncode("urn:ietf:params:oauth:grant-type:jwt-bearer"),
                   "&assertion=", *assertion);
  HttpRequest request;
  request.method = "POST";
  request.url = token_uri_;
  request.headers = {"Content-Type: application/x-www-form-urlencoded"};
  request.body = form;
  request.timeout = absl::Minutes(1);
  absl::StatusOr<HttpResponse> response = http.Do(request);
  if (!response.ok()) return response.status();
  if (absl::Status s = StatusFromHttp(request, *response); !s.ok()) return s;
  absl::StatusOr<std::pair<std::string, absl::Duration>> parsed =
      ParseTokenResponse(response->body);
  if (!parsed.ok()) return parsed.status();
  return Fetched{parsed->first, parsed->second};
}

absl::StatusOr<TokenSource::Fetched> MetadataTokenSource::Fetch(HttpClient& http) {
  HttpRequest request;
  std::string host = host_;
  if (!absl::StartsWith(host, "http://") && !absl::StartsWith(host, "https://")) {
    host = absl::StrCat("http://", host);
  }
  request.url = absl::StrCat(host, "/computeMetadata/v1/instance/service-accounts/default/token");
  request.headers = {"Metadata-Flavor: Google"};
  request.timeout = absl::Seconds(30);
  absl::StatusOr<HttpResponse> response = http.Do(request);
  if (!response.ok()) return response.status();
  if (absl::Status s = StatusFromHttp(request, *response); !s.ok()) return s;
  absl::StatusOr<std::pair<std::string, absl::Duration>> parsed =
      ParseTokenResponse(response->body);
  if (!parsed.ok()) return parsed.status();
  return Fetched{parsed->first, parsed->second};
}

}  // namespace mlab::pusher
