// Token verification as go-jose/m-lab access do it, the tx-rate estimator and the admission
// order of Ndt7Handler.

#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "services/ndt-server/access_control.h"
#include "services/ndt-server/jwt_test_util.h"
#include "services/ndt-server/ndt7_handler.h"
#include "services/ndt-server/test_util.h"
#include "services/ndt-server/token_verifier.h"
#include "services/ndt-server/tx_controller.h"

namespace mlab::ndt7 {
namespace {

using testing::MakeKey;
using testing::SignToken;
using testing::TestKey;

constexpr int64_t kNow = 1700000000;

ExpectedClaims Expect(const std::string& machine = "mlab1-abc01") {
  ExpectedClaims e;
  e.any_audience = {machine};
  e.time = absl::FromUnixSeconds(kNow);
  return e;
}

std::string Claims(const std::string& extra = "") {
  return absl::StrCat(R"({"aud":["mlab1-abc01"],"iss":"locate","sub":"ndt","exp":)", kNow + 60,
                      extra, "}");
}

class TokenVerifierTest : public ::testing::TestWithParam<const char*> {};

TEST_P(TokenVerifierTest, AcceptsValidTokensAndRejectsEverythingElse) {
  const TestKey key = MakeKey(GetParam(), "k1");
  const TestKey other = MakeKey(GetParam(), "k2");
  absl::StatusOr<std::unique_ptr<TokenVerifier>> v = TokenVerifier::FromJwks({key.public_jwk});
  ASSERT_TRUE(v.ok()) << v.status();

  absl::StatusOr<JwtClaims> claims = (*v)->Verify(SignToken(key, Claims()), Expect());
  ASSERT_TRUE(claims.ok()) << claims.status();
  EXPECT_EQ(claims->issuer, "locate");
  EXPECT_EQ(claims->subject, "ndt");

  // A single audience string is accepted too (go-jose's Audience).
  EXPECT_TRUE((*v)->Verify(SignToken(key, absl::StrCat(R"({"aud":"mlab1-abc01","iss":"locate"})")),
                           Expect())
                  .ok());

  auto reason = [&](const std::string& token, ExpectedClaims e = Expect()) {
    absl::StatusOr<JwtClaims> c = (*v)->Verify(token, e);
    return c.ok() ? std::string("accepted") : std::string(c.status().message());
  };
  EXPECT_EQ(reason(SignToken(key, Claims()), Expect("another-machine")),
            "go-jose/go-jose/jwt: validation failed, invalid audience claim (aud)");
  EXPECT_EQ(reason(SignToken(key, R"({"aud":["mlab1-abc01"],"iss":"locate.measurementlab.net"})")),
            "go-jose/go-jose/jwt: validation failed, invalid issuer claim (iss)");
  // Zero leeway: one second past exp is expired, exactly exp is not.
  EXPECT_EQ(reason(SignToken(key, absl::StrCat(R"({"aud":["mlab1-abc01"],"iss":"locate","exp":)",
                                               kNow - 1, "}"))),
            "go-jose/go-jose/jwt: validation failed, token is expired (exp)");
  EXPECT_EQ(reason(SignToken(
                key, absl::StrCat(R"({"aud":["mlab1-abc01"],"iss":"locate","exp":)", kNow, "}"))),
            "accepted");
  EXPECT_EQ(reason(SignToken(key, Claims(absl::StrCat(",\"nbf\":", kNow + 1)))),
            "go-jose/go-jose/jwt: validation failed, token not valid yet (nbf)");
  EXPECT_EQ(reason(SignToken(key, Claims(absl::StrCat(",\"iat\":", kNow + 5)))),
            "go-jose/go-jose/jwt: validation field, token issued in the future (iat)");
  // Signed by a key we do not know under a kid we know: the signature fails.
  TestKey impostor = other;
  impostor.kid = "k1";
  EXPECT_EQ(reason(SignToken(impostor, Claims())),
            "go-jose/go-jose: error in cryptographic primitive");
  EXPECT_EQ(reason(SignToken(other, Claims())), "key id not found");
  // Tampered payload.
  std::string token = SignToken(key, Claims());
  const size_t dot = token.find('.');
  std::string forged = token.substr(0, dot + 1) + testing::B64(Claims(",\"sub\":\"monitoring\"")) +
                       token.substr(token.rfind('.'));
  EXPECT_EQ(reason(forged), "go-jose/go-jose: error in cryptographic primitive");
  EXPECT_NE(reason("not-a-token"), "accepted");
  EXPECT_NE(reason(SignToken(key, Claims(), R"({"alg":"HS256","kid":"k1"})")), "accepted");
  EXPECT_NE(reason(SignToken(key, Claims(), R"({"alg":"none","kid":"k1"})")), "accepted");
}

INSTANTIATE_TEST_SUITE_P(Algorithms, TokenVerifierTest,
                         ::testing::Values("EdDSA", "ES256", "RS256"));

TEST(TokenVerifier, KeysMustBePublicUniqueAndMatchTheAlgorithm) {
  const TestKey ed = MakeKey("EdDSA", "a");
  const TestKey ec = MakeKey("ES256", "b");
  EXPECT_FALSE(TokenVerifier::FromJwks({ed.private_jwk}).ok());
  EXPECT_FALSE(TokenVerifier::FromJwks({ed.public_jwk, ed.public_jwk}).ok());
  EXPECT_FALSE(TokenVerifier::FromJwks({}).ok());
  EXPECT_FALSE(TokenVerifier::FromJwks({"{not json"}).ok());
  absl::StatusOr<std::unique_ptr<TokenVerifier>> v = TokenVerifier::FromJwks(
      {absl::StrCat(R"({"keys":[)", ed.public_jwk, ",", ec.public_jwk, "]}")});
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ((*v)->key_count(), 2u);
  // An EdDSA signature presented as ES256 for the Ed25519 key is refused.
  TestKey liar = ed;
  liar.alg = "ES256";
  EXPECT_FALSE(
      (*v)->Verify(SignToken(ed, Claims(), R"({"alg":"ES256","kid":"a"})"), Expect()).ok());
}

TEST(TxRateEstimator, RisesAtOnceAndDecaysSlowly) {
  TxRateEstimator e(absl::Milliseconds(100));
  absl::Time t = absl::FromUnixSeconds(1000);
  e.Start(t, 0);
  t += absl::Milliseconds(100);
  EXPECT_DOUBLE_EQ(e.Update(t, 125000), 10e6);  // 125 kB in 100 ms = 10 Mbit/s, at once
  t += absl::Milliseconds(100);
  // Idle: (1 - 0.05) * 10e6 + 0.05 * 0.
  EXPECT_DOUBLE_EQ(e.Update(t, 125000), 9.5e6);
  // A sample too soon after the last one is ignored.
  EXPECT_DOUBLE_EQ(e.Update(t + absl::Milliseconds(40), 999999999), 9.5e6);
}

TEST(TxController, ReadsProcNetDevAndRefusesWhenOverTheLimit) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/dev";
  auto write = [&](uint64_t tx) {
    testing::WriteFile(
        path,
        absl::StrCat(
            "Inter-|   Receive                                                |  Transmit\n"
            " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets\n"
            "    lo: 100 1 0 0 0 0 0 0 ",
            200,
            " 2 0 0 0 0 0 0\n"
            " eth0: 5 1 0 0 0 0 0 0 ",
            tx, " 9 0 0 0 0 0 0\n"));
  };
  write(1000);
  EXPECT_EQ(*ReadNetDevTxBytes(path, "eth0"), 1000u);
  EXPECT_EQ(*ReadNetDevTxBytes(path, "lo"), 200u);
  EXPECT_FALSE(ReadNetDevTxBytes(path, "eth1").ok());
  EXPECT_FALSE(TxController::Create("eth1", 1, path).ok());
  EXPECT_FALSE(TxController::Create("eth0", 1, dir.path() + "/missing").ok());

  absl::StatusOr<std::unique_ptr<TxController>> tx =
      TxController::Create("eth0", 1000000, path, absl::Milliseconds(10));
  ASSERT_TRUE(tx.ok()) << tx.status();
  EXPECT_FALSE((*tx)->IsLimited(false));
  write(1000 + 1000000000);  // 8 Gbit within one sampling period
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while ((*tx)->current_bps() == 0 && absl::Now() < deadline) {
    std::this_thread::yield();
  }
  EXPECT_GT((*tx)->current_bps(), 1000000u);
  EXPECT_TRUE((*tx)->IsLimited(false));
  EXPECT_FALSE((*tx)->IsLimited(/*monitoring=*/true));
}

TEST(Ndt7Handler, ChecksInUpstreamOrder) {
  const TestKey key = MakeKey("EdDSA", "k");
  auto verifier = TokenVerifier::FromJwks({key.public_jwk});
  ASSERT_TRUE(verifier.ok());
  AccessControl access(std::move(*verifier), /*token_required=*/true, "mlab1-abc01", nullptr);
  Ndt7Handler handler(&access);
  const absl::Time now = absl::FromUnixSeconds(kNow);
  const std::string token = SignToken(key, Claims());
  const std::string monitoring =
      SignToken(key, absl::StrCat(R"({"aud":["mlab1-abc01"],"iss":"locate","sub":"monitoring"})"));

  HandshakeRequest r;
  r.method = "GET";
  r.path = "/ndt/v7/download";
  r.subprotocol = "net.measurementlab.ndt.v7";
  r.websocket_upgrade = true;
  // Token first: even a request with everything else wrong gets 401 without one.
  r.query = "early_exit=1";
  EXPECT_EQ(handler.Decide(r, now).status, 401);
  r.query = "access_token=garbage";
  EXPECT_EQ(handler.Decide(r, now).status, 401);
  r.query = "access_token=" + token + "&early_exit=1";
  HandshakeDecision d = handler.Decide(r, now);
  EXPECT_EQ(d.status, 400);
  EXPECT_TRUE(d.connection_close);
  r.query = "access_token=" + token;
  r.subprotocol = "foo, net.measurementlab.ndt.v7";  // exact match only
  EXPECT_EQ(handler.Decide(r, now).status, 400);
  r.subprotocol.reset();
  EXPECT_EQ(handler.Decide(r, now).status, 400);
  r.subprotocol = "net.measurementlab.ndt.v7";
  r.method = "POST";
  EXPECT_EQ(handler.Decide(r, now).status, 405);
  r.method = "GET";
  r.websocket_upgrade = false;
  EXPECT_EQ(handler.Decide(r, now).status, 400);
  r.websocket_upgrade = true;
  r.query = "access_token=" + monitoring + "&early_exit=250&client_name=x&server_foo=1";
  d = handler.Decide(r, now);
  EXPECT_EQ(d.status, 0);
  EXPECT_TRUE(d.monitoring);
  EXPECT_TRUE(d.early_exit);
  ASSERT_EQ(d.client_metadata.size(), 3u);  // access_token is archived, server_* is not
  EXPECT_EQ(d.client_metadata[0].name, "access_token");
  EXPECT_EQ(d.client_metadata[1].name, "early_exit");
  EXPECT_EQ(d.client_metadata[2].name, "client_name");
  // early_exit only shortens downloads.
  r.path = "/ndt/v7/upload";
  d = handler.Decide(r, now);
  EXPECT_EQ(d.status, 0);
  EXPECT_EQ(d.direction, Direction::kUpload);
  EXPECT_FALSE(d.early_exit);
}

}  // namespace
}  // namespace mlab::ndt7
