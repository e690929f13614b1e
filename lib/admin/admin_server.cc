#include "lib/admin/admin_server.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "glog/logging.h"
#include "lib/admin/listen_address.h"
#include "lib/metrics/text_format.h"

namespace mlab::admin {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

HttpResponse TextResponse(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

HttpResponse MethodNotAllowed() {
  HttpResponse response = TextResponse(405, "method not allowed\n");
  response.headers.emplace_back("Allow", "GET, HEAD");
  return response;
}

bool IsGetOrHead(const HttpRequest& request) {
  return request.method == "GET" || request.method == "HEAD";
}

// The status for a request Beast could not parse, or 0 when there is nobody left to answer.
int ParseErrorStatus(const beast::error_code& ec) {
  if (ec.category() != http::make_error_code(http::error::bad_target).category()) return 0;
  switch (static_cast<http::error>(ec.value())) {
    case http::error::end_of_stream:
    case http::error::partial_message:
      return 0;  // The client went away.
    case http::error::body_limit:
      return 413;
    case http::error::header_limit:
    case http::error::buffer_overflow:
      return 431;
    default:
      return 400;
  }
}

}  // namespace

class AdminServer::Impl {
 public:
  class Session;

  explicit Impl(Options options);
  ~Impl() { Stop(); }

  absl::Status Start();
  void Stop();
  int port() const { return port_.load(); }
  void SetLameDuck(bool lame_duck) { lame_duck_.store(lame_duck); }
  bool lame_duck() const { return lame_duck_.load(); }
  void Handle(std::string path, HttpHandler handler) ABSL_LOCKS_EXCLUDED(handlers_mu_);

  // For sessions: runs the handler for `request` and counts it.
  HttpResponse Serve(const HttpRequest& request) ABSL_LOCKS_EXCLUDED(handlers_mu_);
  void CountRequest(absl::string_view route, int status);
  const Options& options() const { return options_; }
  std::atomic<int>& connections() { return connections_; }

 private:
  absl::Status Listen(const ListenAddress& address);
  absl::Status Bind(const tcp::endpoint& endpoint, bool dual_stack, beast::error_code* error);
  void Accept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  void RunIo();

  const Options options_;
  metrics::Registry& registry_;
  metrics::CounterFamily& requests_;
  std::atomic<bool> lame_duck_{false};
  std::atomic<int> port_{0};
  std::atomic<int> connections_{0};

  absl::Mutex handlers_mu_;
  std::map<std::string, HttpHandler> handlers_ ABSL_GUARDED_BY(handlers_mu_);

  absl::Mutex state_mu_;
  bool started_ ABSL_GUARDED_BY(state_mu_) = false;
  bool stopped_ ABSL_GUARDED_BY(state_mu_) = false;
  // Set up by Start() and torn down by Stop(); the I/O threads use them in between.
  std::unique_ptr<net::io_context> ioc_;
  std::optional<tcp::acceptor> acceptor_;
  std::optional<net::steady_timer> retry_timer_;
  std::vector<std::thread> threads_;
};

// One client connection: read a request, answer it, repeat while the client keeps it alive.
class AdminServer::Impl::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, AdminServer::Impl* server)
      : stream_(std::move(socket)),
        buffer_(2 * server->options().max_request_bytes + 8192),
        server_(server) {
    server_->connections().fetch_add(1);
  }
  ~Session() { server_->connections().fetch_sub(1); }

  void Run() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::Read, shared_from_this()));
  }

 private:
  std::chrono::milliseconds Timeout() const {
    return absl::ToChronoMilliseconds(server_->options().timeout);
  }

  void Read() {
    parser_.emplace();
    const size_t limit = server_->options().max_request_bytes;
    parser_->header_limit(static_cast<std::uint32_t>(std::min<size_t>(limit, UINT32_MAX)));
    parser_->body_limit(limit);
    stream_.expires_after(Timeout());
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, std::size_t /*bytes*/) {
    if (ec) {
      const int status = ParseErrorStatus(ec);
      if (status == 0) return Close();  // Timeout, reset or clean end of stream.
      server_->CountRequest("malformed", status);
      response_ = {};
      response_.version(11);
      response_.result(static_cast<unsigned>(status));
      response_.set(http::field::content_type, "text/plain; charset=utf-8");
      response_.body() = absl::StrCat(ec.message(), "\n");
      response_.keep_alive(false);
      response_.prepare_payload();
      return Write();
    }
    http::request<http::string_body> message = parser_->release();
    HttpRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    const size_t question = request.target.find('?');
    request.path = request.target.substr(0, question);
    if (question != std::string::npos) request.query = request.target.substr(question + 1);
    request.body = std::move(message.body());

    HttpResponse response = server_->Serve(request);
    if (response.status < 100 || response.status > 999) response.status = 500;
    response_ = {};
    response_.version(message.version());
    response_.result(static_cast<unsigned>(response.status));
    response_.set(http::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) response_.set(name, value);
    response_.keep_alive(message.keep_alive());
    response_.body() = std::move(response.body);
    response_.prepare_payload();
    if (request.method == "HEAD") {
      const size_t length = response_.body().size();
      response_.body().clear();
      response_.content_length(length);
    }
    Write();
  }

  void Write() {
    stream_.expires_after(Timeout());
    http::async_write(stream_, response_,
                      beast::bind_front_handler(&Session::OnWrite, shared_from_this()));
  }

  void OnWrite(beast::error_code ec, std::size_t /*bytes*/) {
    if (ec || !response_.keep_alive()) return Close();
    Read();
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    // The socket closes when the last handler lets go of this session.
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  AdminServer::Impl* const server_;
};

AdminServer::Impl::Impl(Options options)
    : options_(std::move(options)),
      registry_(options_.registry != nullptr ? *options_.registry : metrics::Registry::Default()),
      requests_(registry_.NewCounterFamily("admin_http_requests_total",
                                           "HTTP requests served by the admin server.",
                                           {"code", "path"})) {
  handlers_["/metrics"] = [this](const HttpRequest& request) {
    if (!IsGetOrHead(request)) return MethodNotAllowed();
    HttpResponse response = TextResponse(200, registry_.Expose());
    response.content_type = std::string(metrics::kTextContentType);
    return response;
  };
  handlers_["/health"] = [this](const HttpRequest& request) {
    if (!IsGetOrHead(request)) return MethodNotAllowed();
    if (lame_duck()) return TextResponse(options_.lame_duck_status, "lame duck\n");
    return TextResponse(200, "ok");
  };
}

void AdminServer::Impl::Handle(std::string path, HttpHandler handler) {
  absl::MutexLock lock(&handlers_mu_);
  handlers_[std::move(path)] = std::move(handler);
}

HttpResponse AdminServer::Impl::Serve(const HttpRequest& request) {
  HttpHandler handler;
  {
    absl::MutexLock lock(&handlers_mu_);
    auto it = handlers_.find(request.path);
    if (it != handlers_.end()) handler = it->second;
  }
  if (!handler) {
    CountRequest("unmatched", 404);
    return TextResponse(404, "404 page not found\n");
  }
  HttpResponse response;
  try {
    response = handler(request);
  } catch (const std::exception& e) {
    LOG(ERROR) << "admin handler for " << request.path << " threw: " << e.what();
    response = TextResponse(500, "internal error\n");
  } catch (...) {
    LOG(ERROR) << "admin handler for " << request.path << " threw";
    response = TextResponse(500, "internal error\n");
  }
  CountRequest(request.path, response.status);
  return response;
}

void AdminServer::Impl::CountRequest(absl::string_view route, int status) {
  requests_.WithLabels({std::to_string(status), std::string(route)}).Increment();
}

absl::Status AdminServer::Impl::Bind(const tcp::endpoint& endpoint, bool dual_stack,
                                     beast::error_code* error) {
  const auto fail = [&](absl::string_view op, const beast::error_code& ec) {
    *error = ec;
    beast::error_code ignored;
    acceptor_->close(ignored);
    return absl::UnavailableError(absl::StrCat("admin server: listen tcp ", options_.listen_address,
                                               ": ", op, ": ", ec.message()));
  };
  beast::error_code ec;
  acceptor_.emplace(*ioc_);
  if (acceptor_->open(endpoint.protocol(), ec); ec) return fail("socket", ec);
  if (dual_stack) {
    // Also accept IPv4, as Go does for ":port".
    if (acceptor_->set_option(net::ip::v6_only(false), ec); ec) return fail("setsockopt", ec);
  }
  if (acceptor_->set_option(net::socket_base::reuse_address(true), ec); ec) {
    return fail("setsockopt", ec);
  }
  if (acceptor_->bind(endpoint, ec); ec) return fail("bind", ec);
  if (acceptor_->listen(net::socket_base::max_listen_connections, ec); ec) {
    return fail("listen", ec);
  }
  const tcp::endpoint local = acceptor_->local_endpoint(ec);
  if (ec) return fail("getsockname", ec);
  port_.store(local.port());
  return absl::OkStatus();
}

absl::Status AdminServer::Impl::Listen(const ListenAddress& address) {
  beast::error_code ec;
  if (address.host.empty()) {
    // Every interface: dual-stack IPv6 if the host has IPv6, otherwise IPv4 only.
    absl::Status status =
        Bind(tcp::endpoint(net::ip::address_v6::any(), address.port), /*dual_stack=*/true, &ec);
    if (status.ok() || ec == net::error::address_in_use || ec == net::error::access_denied) {
      return status;
    }
    return Bind(tcp::endpoint(net::ip::address_v4::any(), address.port), false, &ec);
  }
  const net::ip::address ip = net::ip::make_address(address.host, ec);
  if (!ec) return Bind(tcp::endpoint(ip, address.port), false, &ec);
  // A host name such as "localhost": like Go, listen on its first IPv4 address if it has one.
  tcp::resolver resolver(*ioc_);
  const tcp::resolver::results_type results =
      resolver.resolve(address.host, std::to_string(address.port), tcp::resolver::passive, ec);
  if (ec || results.empty()) {
    return absl::UnavailableError(absl::StrCat("admin server: listen tcp ", options_.listen_address,
                                               ": lookup ", address.host, ": ",
                                               ec ? ec.message() : "no addresses"));
  }
  tcp::endpoint chosen = results.begin()->endpoint();
  for (const auto& entry : results) {
    if (entry.endpoint().address().is_v4()) {
      chosen = entry.endpoint();
      break;
    }
  }
  return Bind(chosen, false, &ec);
}

absl::Status AdminServer::Impl::Start() {
  absl::MutexLock lock(&state_mu_);
  if (started_ || stopped_)
    return absl::FailedPreconditionError("admin server: Start() after Start() or Stop()");
  absl::StatusOr<ListenAddress> address = ParseListenAddress(options_.listen_address);
  if (!address.ok()) return address.status();
  ioc_ = std::make_unique<net::io_context>(std::max(1, options_.threads));
  if (absl::Status status = Listen(*address); !status.ok()) {
    acceptor_.reset();
    ioc_.reset();
    return status;
  }
  retry_timer_.emplace(*ioc_);
  started_ = true;
  Accept();
  for (int i = 0; i < std::max(1, options_.threads); ++i)
    threads_.emplace_back([this] { RunIo(); });
  LOG(INFO) << "admin server listening on " << options_.listen_address << " (port " << port()
            << ")";
  return absl::OkStatus();
}

void AdminServer::Impl::RunIo() {
  // Nothing may escape the thread; a stray exception from one handler must not end serving.
  for (;;) {
    try {
      ioc_->run();
      return;
    } catch (const std::exception& e) {
      LOG(ERROR) << "admin server: " << e.what();
    } catch (...) {
      LOG(ERROR) << "admin server: unknown exception";
    }
  }
}

void AdminServer::Impl::Accept() {
  acceptor_->async_accept(net::make_strand(*ioc_),
                          beast::bind_front_handler(&Impl::OnAccept, this));
}

void AdminServer::Impl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted) return;
  if (ec) {
    // Typically EMFILE: back off instead of spinning on a listener that stays readable.
    LOG_EVERY_N(WARNING, 100) << "admin server: accept: " << ec.message();
    retry_timer_->expires_after(std::chrono::milliseconds(100));
    retry_timer_->async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec) Accept();
    });
    return;
  }
  if (connections_.load() >= options_.max_connections) {
    beast::error_code ignored;
    socket.close(ignored);
  } else {
    std::make_shared<Session>(std::move(socket), this)->Run();
  }
  Accept();
}

void AdminServer::Impl::Stop() {
  std::vector<std::thread> threads;
  {
    absl::MutexLock lock(&state_mu_);
    if (!started_ || stopped_) {
      stopped_ = true;
      return;
    }
    stopped_ = true;
    threads.swap(threads_);
  }
  ioc_->stop();
  for (std::thread& thread : threads) thread.join();
  retry_timer_.reset();
  acceptor_.reset();
  // Destroying the io_context destroys the pending handlers, hence the sessions and sockets.
  ioc_.reset();
}

AdminServer::AdminServer(Options options) : impl_(std::make_unique<Impl>(std::move(options))) {}
AdminServer::~AdminServer() = default;
absl::Status AdminServer::Start() { return impl_->Start(); }
int AdminServer::port() const { return impl_->port(); }
void AdminServer::Stop() { impl_->Stop(); }
void AdminServer::SetLameDuck(bool lame_duck) { impl_->SetLameDuck(lame_duck); }
bool AdminServer::lame_duck() const { return impl_->lame_duck(); }
void AdminServer::Handle(std::string path, HttpHandler handler) {
  impl_->Handle(std::move(path), std::move(handler));
}

}  // namespace mlab::admin
