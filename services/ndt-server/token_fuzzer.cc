// Fuzz target: the access tokens (compact JWS) and JWKs ndt-server accepts. The first byte
// chooses what the rest is:
//   0: a token, verified against fixed EdDSA, ES256 and RS256 keys (the signature never holds,
//      so this reaches header and signature decoding);
//   1: claims JSON, signed here with a test key so that Verify reaches the claims parsing;
//   2: a header JSON and claims (length-prefixed), signed here;
//   3: a JWK, loaded as a verification key.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "lib/testing/fuzz_input.h"
#include "services/ndt-server/jwt_test_util.h"
#include "services/ndt-server/token_verifier.h"

namespace {

using mlab::ndt7::ExpectedClaims;
using mlab::ndt7::TokenVerifier;
using mlab::ndt7::testing::MakeKey;
using mlab::ndt7::testing::SignToken;
using mlab::ndt7::testing::TestKey;

struct Keys {
  std::vector<TestKey> keys;
  std::unique_ptr<TokenVerifier> verifier;
};

const Keys& GetKeys() {
  static const Keys* keys = [] {
    auto* k = new Keys;
    k->keys = {MakeKey("EdDSA", "ed"), MakeKey("ES256", "es"), MakeKey("RS256", "rs")};
    std::vector<std::string> jwks;
    for (const TestKey& key : k->keys) jwks.push_back(key.public_jwk);
    k->verifier = std::move(TokenVerifier::FromJwks(jwks)).value();
    return k;
  }();
  return *keys;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Keys& keys = GetKeys();
  mlab::testing::FuzzInput input(data, size);
  const uint8_t mode = input.Byte() % 4;
  const TestKey& key = keys.keys[input.Byte() % keys.keys.size()];
  ExpectedClaims expected;
  expected.any_audience = {"mlab1-lga03.mlab-oti.measurement-lab.org"};
  expected.time = absl::FromUnixSeconds(1700000000);
  switch (mode) {
    case 0:
      (void)keys.verifier->Verify(input.Rest(), expected);
      break;
    case 1:
      (void)keys.verifier->Verify(SignToken(key, std::string(input.Rest())), expected);
      break;
    case 2: {
      const std::string header(input.LengthPrefixed());
      const std::string claims(input.Rest());
      if (header.empty()) break;  // SignToken would use its default header
      (void)keys.verifier->Verify(SignToken(key, claims, header), expected);
      break;
    }
    case 3:
      (void)TokenVerifier::FromJwks({std::string(input.Rest())});
      break;
  }
  return 0;
}
