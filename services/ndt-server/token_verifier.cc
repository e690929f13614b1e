#include "services/ndt-server/token_verifier.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <cmath>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "rapidjson/document.h"

namespace mlab::ndt7 {

enum class KeyType { kEd25519, kP256, kRsa };

struct TokenVerifier::Key {
  KeyType type;
  EVP_PKEY* pkey = nullptr;
  ~Key() { EVP_PKEY_free(pkey); }
};

namespace {

constexpr absl::string_view kInvalidIssuer =
    "go-jose/go-jose/jwt: validation failed, invalid issuer claim (iss)";
constexpr absl::string_view kInvalidAudience =
    "go-jose/go-jose/jwt: validation failed, invalid audience claim (aud)";
constexpr absl::string_view kNotValidYet =
    "go-jose/go-jose/jwt: validation failed, token not valid yet (nbf)";
constexpr absl::string_view kExpired =
    "go-jose/go-jose/jwt: validation failed, token is expired (exp)";
constexpr absl::string_view kIssuedInTheFuture =
    "go-jose/go-jose/jwt: validation field, token issued in the future (iat)";
constexpr absl::string_view kCryptoError = "go-jose/go-jose: error in cryptographic primitive";
constexpr absl::string_view kKeyNotFound = "key id not found";

absl::Status Unauthenticated(absl::string_view message) {
  return absl::UnauthenticatedError(message);
}

bool Base64Url(absl::string_view in, std::string* out) {
  // Compact JWS uses unpadded base64url; reject padding as go-jose does.
  if (in.find('=') != absl::string_view::npos) return false;
  return absl::WebSafeBase64Unescape(in, out);
}

std::string StringMember(const rapidjson::Value& obj, const char* name) {
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || !it->value.IsString()) return "";
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

struct ParamBld {
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM* params = nullptr;
  std::vector<BIGNUM*> bns;
  ~ParamBld() {
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    for (BIGNUM* bn : bns) BN_free(bn);
  }
};

EVP_PKEY* FromData(const char* type, ParamBld& p) {
  p.params = OSSL_PARAM_BLD_to_param(p.bld);
  if (p.params == nullptr) return nullptr;
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  EVP_PKEY* pkey = nullptr;
  if (ctx == nullptr || EVP_PKEY_fromdata_init(ctx) <= 0 ||
      EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, p.params) <= 0) {
    pkey = nullptr;
  }
  EVP_PKEY_CTX_free(ctx);
  return pkey;
}

}  // namespace

// Builds one public key from its JWK members.
static absl::Status LoadJwk(const rapidjson::Value& jwk, std::string* kid,
                            std::unique_ptr<TokenVerifier::Key>* out_key) {
  if (!jwk.IsObject()) return absl::InvalidArgumentError("JWK is not a JSON object");
  if (jwk.HasMember("d") || jwk.HasMember("p") || jwk.HasMember("q")) {
    return absl::InvalidArgumentError("JWK is not a public key");
  }
  *kid = StringMember(jwk, "kid");
  const std::string kty = StringMember(jwk, "kty");
  auto key = std::make_unique<TokenVerifier::Key>();
  if (kty == "OKP") {
    std::string x;
    if (StringMember(jwk, "crv") != "Ed25519" || !Base64Url(StringMember(jwk, "x"), &x) ||
        x.size() != 32) {
      return absl::InvalidArgumentError("OKP JWK must be an Ed25519 public key");
    }
    key->type = KeyType::kEd25519;
    key->pkey = EVP_PKEY_new_raw_public_key(
        EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(x.data()), x.size());
  } else if (kty == "EC") {
    std::string x, y;
    if (StringMember(jwk, "crv") != "P-256" || !Base64Url(StringMember(jwk, "x"), &x) ||
        !Base64Url(StringMember(jwk, "y"), &y) || x.size() != 32 || y.size() != 32) {
      return absl::InvalidArgumentError("EC JWK must be a P-256 public key");
    }
    std::string point = absl::StrCat("\x04", x, y);
    ParamBld p;
    OSSL_PARAM_BLD_push_utf8_string(p.bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
    OSSL_PARAM_BLD_push_octet_string(p.bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
    key->type = KeyType::kP256;
    key->pkey = FromData("EC", p);
  } else if (kty == "RSA") {
    std::string n, e;
    if (!Base64Url(StringMember(jwk, "n"), &n) || !Base64Url(StringMember(jwk, "e"), &e) ||
        n.empty() || e.empty()) {
      return absl::InvalidArgumentError("RSA JWK needs n and e");
    }
    ParamBld p;
    BIGNUM* bn_n = BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()), n.size(), nullptr);
    BIGNUM* bn_e = BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()), e.size(), nullptr);
    p.bns = {bn_n, bn_e};
    OSSL_PARAM_BLD_push_BN(p.bld, OSSL_PKEY_PARAM_RSA_N, bn_n);
    OSSL_PARAM_BLD_push_BN(p.bld, OSSL_PKEY_PARAM_RSA_E, bn_e);
    key->type = KeyType::kRsa;
    key->pkey = FromData("RSA", p);
  } else {
    return absl::InvalidArgumentError(absl::StrCat("unsupported JWK key type \"", kty, "\""));
  }
  if (key->pkey == nullptr) return absl::InvalidArgumentError("invalid JWK key material");
  *out_key = std::move(key);
  return absl::OkStatus();
}

TokenVerifier::~TokenVerifier() = default;

absl::StatusOr<std::unique_ptr<TokenVerifier>> TokenVerifier::FromJwks(
    const std::vector<std::string>& jwks) {
  std::unique_ptr<TokenVerifier> v(new TokenVerifier());
  for (const std::string& text : jwks) {
    rapidjson::Document doc;
    doc.Parse(text.data(), text.size());
    if (doc.HasParseError() || !doc.IsObject()) {
      return absl::InvalidArgumentError("JWK file is not a JSON object");
    }
    std::vector<const rapidjson::Value*> entries;
    if (auto keys = doc.FindMember("keys"); keys != doc.MemberEnd() && keys->value.IsArray()) {
      for (const auto& k : keys->value.GetArray()) entries.push_back(&k);
    } else {
      entries.push_back(&doc);
    }
    for (const rapidjson::Value* entry : entries) {
      std::string kid;
      std::unique_ptr<Key> key;
      if (absl::Status s = LoadJwk(*entry, &kid, &key); !s.ok()) return s;
      if (v->keys_.count(kid) != 0) {
        return absl::InvalidArgumentError(absl::StrCat("duplicate key id \"", kid, "\""));
      }
      v->keys_.emplace(kid, std::move(key));
    }
  }
  if (v->keys_.empty()) return absl::InvalidArgumentError("no verification keys");
  return v;
}

absl::Status ValidateClaims(const JwtClaims& c, const ExpectedClaims& e) {
  if (!e.issuer.empty() && e.issuer != c.issuer) return Unauthenticated(kInvalidIssuer);
  if (!e.any_audience.empty()) {
    bool found = false;
    for (const std::string& want : e.any_audience) {
      for (const std::string& have : c.audience) found = found || want == have;
    }
    if (!found) return Unauthenticated(kInvalidAudience);
  }
  if (c.not_before && e.time < absl::FromUnixSeconds(*c.not_before)) {
    return Unauthenticated(kNotValidYet);
  }
  if (c.expiry && e.time > absl::FromUnixSeconds(*c.expiry)) return Unauthenticated(kExpired);
  if (c.issued_at && e.time < absl::FromUnixSeconds(*c.issued_at)) {
    return Unauthenticated(kIssuedInTheFuture);
  }
  return absl::OkStatus();
}

namespace {

// go-jose's NumericDate accepts any JSON number and truncates it to whole seconds.
absl::Status NumericDate(const rapidjson::Value& obj, const char* name,
                         std::optional<int64_t>* out) {
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || it->value.IsNull()) return absl::OkStatus();
  if (!it->value.IsNumber()) {
    return Unauthenticated(absl::StrCat("go-jose/go-jose/jwt: expected number for ", name));
  }
  if (it->value.IsInt64()) {
    *out = it->value.GetInt64();
  } else {
    const double d = it->value.GetDouble();
    if (!std::isfinite(d) || std::fabs(d) > 9e18) {
      return Unauthenticated(absl::StrCat("go-jose/go-jose/jwt: invalid ", name));
    }
    *out = static_cast<int64_t>(d);
  }
  return absl::OkStatus();
}

bool VerifySignature(const TokenVerifier::Key& key, absl::string_view alg,
                     absl::string_view signing_input, const std::string& sig) {
  std::string der;
  const EVP_MD* md = nullptr;
  absl::string_view signature = sig;
  switch (key.type) {
    case KeyType::kEd25519:
      if (alg != "EdDSA") return false;
      break;
    case KeyType::kP256: {
      if (alg != "ES256" || sig.size() != 64) return false;
      md = EVP_sha256();
      // JWS carries r||s; OpenSSL wants DER.
      ECDSA_SIG* es = ECDSA_SIG_new();
      BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(sig.data()), 32, nullptr);
      BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(sig.data()) + 32, 32, nullptr);
      ECDSA_SIG_set0(es, r, s);
      unsigned char* buf = nullptr;
      const int len = i2d_ECDSA_SIG(es, &buf);
      ECDSA_SIG_free(es);
      if (len <= 0) return false;
      der.assign(reinterpret_cast<char*>(buf), len);
      OPENSSL_free(buf);
      signature = der;
      break;
    }
    case KeyType::kRsa:
      if (alg != "RS256") return false;
      md = EVP_sha256();
      break;
  }
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = ctx != nullptr && EVP_DigestVerifyInit(ctx, nullptr, md, nullptr, key.pkey) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()),
                             signature.size(),
                             reinterpret_cast<const unsigned char*>(signing_input.data()),
                             signing_input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

}  // namespace

absl::StatusOr<JwtClaims> TokenVerifier::Verify(absl::string_view token,
                                                const ExpectedClaims& expected) const {
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3) {
    return Unauthenticated("go-jose/go-jose: compact JWS format must have three parts");
  }
  std::string header_json, payload, sig;
  if (!Base64Url(parts[0], &header_json) || !Base64Url(parts[1], &payload) ||
      !Base64Url(parts[2], &sig)) {
    return Unauthenticated("go-jose/go-jose: illegal base64 data");
  }
  rapidjson::Document header;
  header.Parse(header_json.data(), header_json.size());
  if (header.HasParseError() || !header.IsObject()) {
    return Unauthenticated("go-jose/go-jose: invalid protected header");
  }
  const std::string alg = StringMember(header, "alg");
  if (alg != "EdDSA" && alg != "ES256" && alg != "RS256") {
    return Unauthenticated(absl::StrCat("go-jose/go-jose: unexpected signature algorithm \"", alg,
                                        "\"; expected [\"EdDSA\" \"ES256\" \"RS256\"]"));
  }
  auto key = keys_.find(StringMember(header, "kid"));
  if (key == keys_.end()) return Unauthenticated(kKeyNotFound);
  const absl::string_view signing_input = token.substr(0, parts[0].size() + 1 + parts[1].size());
  if (!VerifySignature(*key->second, alg, signing_input, sig)) {
    return Unauthenticated(kCryptoError);
  }
  rapidjson::Document body;
  body.Parse(payload.data(), payload.size());
  if (body.HasParseError() || !body.IsObject()) {
    return Unauthenticated("go-jose/go-jose/jwt: invalid claims");
  }
  JwtClaims claims;
  claims.issuer = StringMember(body, "iss");
  claims.subject = StringMember(body, "sub");
  claims.id = StringMember(body, "jti");
  if (auto aud = body.FindMember("aud"); aud != body.MemberEnd()) {
    if (aud->value.IsString()) {
      claims.audience.emplace_back(aud->value.GetString(), aud->value.GetStringLength());
    } else if (aud->value.IsArray()) {
      for (const auto& a : aud->value.GetArray()) {
        if (!a.IsString()) return Unauthenticated("go-jose/go-jose/jwt: invalid audience");
        claims.audience.emplace_back(a.GetString(), a.GetStringLength());
      }
    } else if (!aud->value.IsNull()) {
      return Unauthenticated("go-jose/go-jose/jwt: invalid audience");
    }
  }
  for (auto [name, field] : {std::pair{"exp", &claims.expiry}, std::pair{"nbf", &claims.not_before},
                             std::pair{"iat", &claims.issued_at}}) {
    if (absl::Status s = NumericDate(body, name, field); !s.ok()) return s;
  }
  if (absl::Status s = ValidateClaims(claims, expected); !s.ok()) return s;
  return claims;
}

}  // namespace mlab::ndt7
