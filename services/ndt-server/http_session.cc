#include "services/ndt-server/http_session.h"

#include <memory>
#include <optional>
#include <string>

#include "boost/asio/steady_timer.hpp"
#include "boost/beast/core/flat_buffer.hpp"
#include "boost/beast/core/stream_traits.hpp"
#include "boost/beast/http.hpp"
#include "boost/beast/websocket/rfc6455.hpp"
#include "glog/logging.h"
#include "services/ndt-server/ndt7_metrics.h"

namespace mlab::ndt7 {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using boost::system::error_code;

constexpr uint32_t kHeaderLimit = 64 * 1024;
constexpr uint64_t kBodyLimit = 64 * 1024;

template <class Stream>
class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  HttpSession(Stream stream, const HttpShared* shared)
      : stream_(std::move(stream)), shared_(shared), timer_(stream_.get_executor()) {}

  void Start() {
    if constexpr (std::is_same_v<Stream, TlsSocket>) {
      ArmTimer();
      stream_.async_handshake([self = this->shared_from_this()](error_code ec) {
        self->timer_.cancel();
        if (ec) {
          VLOG(1) << "tls handshake: " << ec.message();
          return self->Close();
        }
        self->ReadRequest();
      });
    } else {
      ReadRequest();
    }
  }

 private:
  void ArmTimer() {
    timer_.expires_after(absl::ToChronoNanoseconds(shared_->http_timeout));
    timer_.async_wait([self = this->shared_from_this()](error_code ec) {
      if (!ec) self->Close();  // Idle, slow or stuck: drop the connection.
    });
  }

  void Close() {
    error_code ignored;
    beast::get_lowest_layer(stream_).shutdown(asio::socket_base::shutdown_both, ignored);
    beast::get_lowest_layer(stream_).close(ignored);
  }

  void ReadRequest() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(kBodyLimit);
    ArmTimer();
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](error_code ec, size_t) {
                       self->timer_.cancel();
                       self->OnRequest(ec);
                     });
  }

  void OnRequest(error_code ec) {
    if (ec) {
      if (ec != http::error::end_of_stream && ec != asio::error::operation_aborted) {
        VLOG(1) << "http read: " << ec.message();
        if (ec.category() == http::make_error_code(http::error::bad_target).category()) {
          return Respond(400, /*close=*/true);
        }
      }
      return Close();
    }
    HttpRequest request = parser_->release();
    parser_.reset();
    const std::string target(request.target());
    const size_t q = target.find('?');
    const std::string path = target.substr(0, q);
    if (Ndt7Handler::IsNdt7Path(path)) {
      HandshakeRequest hr;
      hr.method = std::string(request.method_string());
      hr.path = path;
      hr.query = q == std::string::npos ? "" : target.substr(q + 1);
      if (auto it = request.find(http::field::sec_websocket_protocol); it != request.end()) {
        hr.subprotocol = std::string(it->value());
      }
      hr.websocket_upgrade = beast::websocket::is_upgrade(request);
      HandshakeDecision decision = shared_->handler->Decide(hr, absl::Now());
      if (decision.status == 0) {
        StartNdt7Session(std::move(stream_), std::move(request), std::move(decision), shared_->env,
                         std::move(conn_));
        return;
      }
      if (decision.websocket_error) {
        metrics::ClientConnections()
            .WithLabels({std::string(DirectionName(decision.direction)), "websocket-error"})
            .Increment();
      }
      return Respond(decision.status, decision.connection_close || !request.keep_alive());
    }
    StaticResponse file;
    if (shared_->files != nullptr) {
      const auto method = request.method_string();
      file = shared_->files->Serve(absl::string_view(method.data(), method.size()), path);
    } else {
      file.status = 404;
      file.content_type = "text/plain; charset=utf-8";
      file.body = "404 page not found\n";
    }
    const bool head = request.method() == http::verb::head;
    Respond(file.status, !request.keep_alive(), std::move(file), head);
  }

  void Respond(int status, bool close, StaticResponse content = {}, bool head = false) {
    response_.emplace();
    response_->result(static_cast<unsigned>(status));
    response_->version(11);
    if (!content.content_type.empty()) {
      response_->set(http::field::content_type, content.content_type);
    }
    if (!content.location.empty()) response_->set(http::field::location, content.location);
    if (close) response_->set(http::field::connection, "close");
    response_->body() = std::move(content.body);
    response_->prepare_payload();
    if (head) response_->body().clear();
    close_after_ = close;
    ArmTimer();
    http::async_write(stream_, *response_,
                      [self = this->shared_from_this()](error_code ec, size_t) {
                        self->timer_.cancel();
                        self->response_.reset();
                        if (ec || self->close_after_) return self->Close();
                        self->ReadRequest();
                      });
  }

  Stream stream_;
  const HttpShared* shared_;
  asio::steady_timer timer_;
  OpenConn conn_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::string_body>> response_;
  bool close_after_ = false;
};

}  // namespace

void StartHttpSession(TcpSocket socket, const HttpShared* shared) {
  std::make_shared<HttpSession<TcpSocket>>(std::move(socket), shared)->Start();
}

void StartHttpsSession(TcpSocket socket, asio::ssl::context* tls, const HttpShared* shared) {
  std::make_shared<HttpSession<TlsSocket>>(TlsSocket(std::move(socket), tls->native_handle()),
                                           shared)
      ->Start();
}

}  // namespace mlab::ndt7
