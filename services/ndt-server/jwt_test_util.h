#ifndef MLAB_SERVICES_NDT_SERVER_JWT_TEST_UTIL_H_
#define MLAB_SERVICES_NDT_SERVER_JWT_TEST_UTIL_H_

// Test keys and tokens as the Locate service makes them: fresh key pairs, their public JWKs,
// and compact JWS tokens signed with them (EdDSA, ES256, RS256).

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <memory>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace mlab::ndt7::testing {

struct TestKey {
  std::string alg;  // "EdDSA", "ES256" or "RS256"
  std::string kid;
  std::string public_jwk;
  std::string private_jwk;  // a JWK with "d": must be refused as a verification key
  std::shared_ptr<EVP_PKEY> pkey;
};

inline std::string B64(const std::string& s) {
  std::string out;
  absl::WebSafeBase64Escape(s, &out);
  return out;
}

inline std::string BnBytes(const BIGNUM* bn, int len = 0) {
  std::string out(len > 0 ? len : BN_num_bytes(bn), '\0');
  if (len > 0) {
    BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), len);
  } else {
    BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  }
  return out;
}

inline std::string BnParam(EVP_PKEY* key, const char* name, int len = 0) {
  BIGNUM* bn = nullptr;
  EVP_PKEY_get_bn_param(key, name, &bn);
  std::string out = BnBytes(bn, len);
  BN_free(bn);
  return out;
}

inline TestKey MakeKey(const std::string& alg, const std::string& kid) {
  TestKey k;
  k.alg = alg;
  k.kid = kid;
  EVP_PKEY* key = nullptr;
  if (alg == "EdDSA") {
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
    unsigned char pub[32];
    size_t len = sizeof(pub);
    EVP_PKEY_get_raw_public_key(key, pub, &len);
    const std::string x = B64(std::string(reinterpret_cast<char*>(pub), len));
    k.public_jwk = absl::StrCat(R"({"kty":"OKP","crv":"Ed25519","use":"sig","alg":"EdDSA","kid":")",
                                kid, R"(","x":")", x, R"("})");
    k.private_jwk = absl::StrCat(R"({"kty":"OKP","crv":"Ed25519","kid":")", kid, R"(","x":")", x,
                                 R"(","d":"AAAA"})");
  } else if (alg == "ES256") {
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    const std::string x = B64(BnParam(key, OSSL_PKEY_PARAM_EC_PUB_X, 32));
    const std::string y = B64(BnParam(key, OSSL_PKEY_PARAM_EC_PUB_Y, 32));
    k.public_jwk = absl::StrCat(R"({"kty":"EC","crv":"P-256","use":"sig","alg":"ES256","kid":")",
                                kid, R"(","x":")", x, R"(","y":")", y, R"("})");
    k.private_jwk = absl::StrCat(R"({"kty":"EC","crv":"P-256","kid":")", kid, R"(","x":")", x,
                                 R"(","y":")", y, R"(","d":"AAAA"})");
  } else {
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048});
    const std::string n = B64(BnParam(key, OSSL_PKEY_PARAM_RSA_N));
    const std::string e = B64(BnParam(key, OSSL_PKEY_PARAM_RSA_E));
    k.public_jwk = absl::StrCat(R"({"kty":"RSA","use":"sig","alg":"RS256","kid":")", kid,
                                R"(","n":")", n, R"(","e":")", e, R"("})");
    k.private_jwk = absl::StrCat(R"({"kty":"RSA","kid":")", kid, R"(","n":")", n, R"(","e":")", e,
                                 R"(","d":"AAAA"})");
  }
  k.pkey.reset(key, EVP_PKEY_free);
  return k;
}

// A compact JWS of `claims_json` signed by `key`; `header_json` overrides the default header.
inline std::string SignToken(const TestKey& key, const std::string& claims_json,
                             const std::string& header_json = "") {
  const std::string header =
      header_json.empty() ? absl::StrCat(R"({"alg":")", key.alg, R"(","kid":")", key.kid, R"("})")
                          : header_json;
  const std::string input = absl::StrCat(B64(header), ".", B64(claims_json));
  const EVP_MD* md = key.alg == "EdDSA" ? nullptr : EVP_sha256();
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestSignInit(ctx, nullptr, md, nullptr, key.pkey.get());
  size_t len = 0;
  EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                 input.size());
  std::string sig(len, '\0');
  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                 reinterpret_cast<const unsigned char*>(input.data()), input.size());
  sig.resize(len);
  EVP_MD_CTX_free(ctx);
  if (key.alg == "ES256") {  // DER to the JWS form r||s
    const unsigned char* p = reinterpret_cast<const unsigned char*>(sig.data());
    ECDSA_SIG* es = d2i_ECDSA_SIG(nullptr, &p, sig.size());
    sig = BnBytes(ECDSA_SIG_get0_r(es), 32) + BnBytes(ECDSA_SIG_get0_s(es), 32);
    ECDSA_SIG_free(es);
  }
  return absl::StrCat(input, ".", B64(sig));
}

}  // namespace mlab::ndt7::testing

#endif  // MLAB_SERVICES_NDT_SERVER_JWT_TEST_UTIL_H_
