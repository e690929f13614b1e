// Fuzz target: an ndt7 request up to the WebSocket upgrade: the HTTP request bytes parsed by
// Beast's request parser with the limits http_session uses, then the handshake decision
// (token in the query string, early_exit, subprotocol, method, upgrade headers) as
// http_session takes it.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "boost/beast/core/error.hpp"
#include "boost/beast/http.hpp"
#include "boost/beast/websocket/rfc6455.hpp"
#include "services/ndt-server/access_control.h"
#include "services/ndt-server/jwt_test_util.h"
#include "services/ndt-server/ndt7_handler.h"
#include "services/ndt-server/token_verifier.h"

namespace {

namespace http = boost::beast::http;
using namespace mlab::ndt7;

// With tokens required (every fuzzed token is refused: the check must not crash) and optional.
const Ndt7Handler& Handler(bool token_required) {
  static const Ndt7Handler* const* handlers = [] {
    testing::TestKey key = testing::MakeKey("EdDSA", "ed");
    static const Ndt7Handler* h[2];
    for (bool required : {false, true}) {
      auto* access = new AccessControl(std::move(TokenVerifier::FromJwks({key.public_jwk})).value(),
                                       required, "mlab1-lga03", /*tx=*/nullptr);
      h[required] = new Ndt7Handler(access);
    }
    return h;
  }();
  return *handlers[token_required];
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  http::request_parser<http::string_body> parser;
  parser.header_limit(64 * 1024);  // http_session.cc kHeaderLimit
  parser.body_limit(64 * 1024);    // kBodyLimit
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (ec || !parser.is_header_done()) return 0;
  const auto& request = parser.get();
  const std::string target(request.target());
  const size_t q = target.find('?');
  HandshakeRequest hr;
  hr.method = std::string(request.method_string());
  hr.path = target.substr(0, q);
  hr.query = q == std::string::npos ? "" : target.substr(q + 1);
  if (auto it = request.find(http::field::sec_websocket_protocol); it != request.end()) {
    hr.subprotocol = std::string(it->value());
  }
  hr.websocket_upgrade = boost::beast::websocket::is_upgrade(request);
  if (!Ndt7Handler::IsNdt7Path(hr.path)) return 0;  // http_session serves files then
  for (bool token_required : {false, true}) {
    HandshakeDecision decision =
        Handler(token_required).Decide(hr, absl::FromUnixSeconds(1700000000));
    // Only a GET with the upgrade headers may start a test.
    if (decision.status == 0 && (!hr.websocket_upgrade || hr.method != "GET")) __builtin_trap();
  }
  return 0;
}
