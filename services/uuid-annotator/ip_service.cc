#include "services/uuid-annotator/ip_service.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <optional>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "boost/asio/local/stream_protocol.hpp"
#include "boost/asio/write.hpp"
#include "boost/beast/core/flat_buffer.hpp"
#include "boost/beast/http/parser.hpp"
#include "boost/beast/http/read.hpp"
#include "boost/beast/http/string_body.hpp"
#include "glog/logging.h"
#include "lib/annotation/annotation.h"
#include "lib/unixsocket/socket_path.h"
#include "lib/url/escape.h"
#include "lib/url/query.h"
#include "services/uuid-annotator/annotator_metrics.h"
#include "services/uuid-annotator/ip_annotator.h"

namespace mlab::uuid_annotator {
namespace {

using annotation::ClientAnnotations;

namespace asio = boost::asio;
namespace http = boost::beast::http;

constexpr absl::string_view kPath = "/v1/annotate/ips";

const char* Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    default:
      return "Error";
  }
}

// The bytes Go's net/http writes for `answer`: handler headers (sorted), then Date,
// Content-Length and a sniffed Content-Type.
std::string Serialize(const IpServiceAnswer& answer, int version, bool keep_alive) {
  std::string out = absl::StrCat("HTTP/1.", version == 10 ? "0" : "1", " ", answer.status, " ",
                                 Reason(answer.status), "\r\n");
  if (answer.status == 404) {
    out += "Content-Type: text/plain; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\n";
  }
  out += absl::StrCat(
      "Date: ", absl::FormatTime("%a, %d %b %Y %H:%M:%S GMT", absl::Now(), absl::UTCTimeZone()),
      "\r\n");
  out += absl::StrCat("Content-Length: ", answer.body.size(), "\r\n");
  if (answer.status == 200 && !answer.body.empty()) {
    // Go sniffs JSON as text.
    out += "Content-Type: text/plain; charset=utf-8\r\n";
  }
  if (!keep_alive) {
    out += "Connection: close\r\n";
  } else if (version == 10) {
    out += "Connection: keep-alive\r\n";
  }
  out += "\r\n";
  out += answer.body;
  return out;
}

}  // namespace

IpServiceAnswer AnswerIpRequest(const Datasets& data, absl::string_view target) {
  // An absolute-form target (http://unix/v1/...) carries the path after the authority.
  if (absl::StartsWithIgnoreCase(target, "http://") ||
      absl::StartsWithIgnoreCase(target, "https://")) {
    const size_t authority = target.find("//") + 2;
    const size_t slash = target.find('/', authority);
    target = slash == absl::string_view::npos ? "/" : target.substr(slash);
  }
  const size_t q = target.find('?');
  absl::string_view raw_path = target.substr(0, q);
  absl::string_view raw_query = q == absl::string_view::npos ? "" : target.substr(q + 1);
  if (url::PathUnescape(raw_path) != kPath) {
    return IpServiceAnswer{404, "404 page not found\n"};
  }
  std::map<std::string, ClientAnnotations> answers;
  for (std::string& text : url::Query::Parse(raw_query).All("ip")) {
    std::optional<IpAddress> ip = IpAddress::Parse(text);
    if (!ip) {
      metrics::ServerRpcs().WithLabels({"badip_error"}).Increment();
      continue;
    }
    if (answers.count(text) > 0) continue;
    answers.emplace(std::move(text), AnnotateClient(data, ip));
  }
  if (answers.empty()) {
    metrics::ServerRpcs().WithLabels({"bad_request_error"}).Increment();
    return IpServiceAnswer{400, ""};
  }
  return IpServiceAnswer{200, ToJson(answers)};
}

IpService::IpService(const DatasetStore* store, std::string socket_path)
    : IpService(store, std::move(socket_path), Options()) {}

IpService::IpService(const DatasetStore* store, std::string socket_path, Options options)
    : store_(store), socket_path_(std::move(socket_path)), options_(options) {}

IpService::~IpService() { Shutdown(); }

absl::Status IpService::Start() {
  if (listen_fd_ >= 0) return absl::FailedPreconditionError("already started");
  if (absl::Status s = unixsocket::PrepareSocketPath(socket_path_); !s.ok()) return s;
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(absl::StrCat("socket: ", strerror(errno)));
  sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  memcpy(addr.sun_path, socket_path_.c_str(), socket_path_.size() + 1);
  if (bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0 ||
      listen(fd, 128) != 0) {
    const std::string error = strerror(errno);
    close(fd);
    return absl::UnavailableError(absl::StrCat("listen on ", socket_path_, ": ", error));
  }
  if (pipe2(wake_fds_, O_CLOEXEC) != 0) {
    close(fd);
    return absl::InternalError(absl::StrCat("pipe: ", strerror(errno)));
  }
  listen_fd_ = fd;
  acceptor_ = std::thread([this] { AcceptLoop(); });
  LOG(INFO) << "ipservice (HTTP over unix socket) on " << socket_path_;
  return absl::OkStatus();
}

void IpService::Shutdown() {
  if (listen_fd_ < 0) return;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    // Wakes every connection thread blocked in a read.
    for (int fd : connections_) shutdown(fd, SHUT_RDWR);
  }
  const char byte = 0;
  (void)!write(wake_fds_[1], &byte, 1);
  if (acceptor_.joinable()) acceptor_.join();
  {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](std::vector<int>* c) { return c->empty(); }, &connections_));
  }
  close(listen_fd_);
  close(wake_fds_[0]);
  close(wake_fds_[1]);
  listen_fd_ = -1;
  unixsocket::RemoveSocket(socket_path_);
}

void IpService::AcceptLoop() {
  while (true) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fds_[0], POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      LOG(ERROR) << "ipservice: poll: " << strerror(errno);
      return;
    }
    if (fds[1].revents != 0) return;
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED) {
        LOG(WARNING) << "ipservice: accept: " << strerror(errno);
      }
      continue;
    }
    {
      absl::MutexLock lock(&mu_);
      if (stopping_ || static_cast<int>(connections_.size()) >= options_.max_connections) {
        close(fd);
        continue;
      }
      connections_.push_back(fd);
    }
    timeval timeout = absl::ToTimeval(options_.idle_timeout);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
    std::thread([this, fd] { Serve(fd); }).detach();
  }
}

void IpService::Serve(int fd) {
  {
    asio::io_context io;
    asio::local::stream_protocol::socket socket(io);
    boost::system::error_code ec;
    socket.assign(asio::local::stream_protocol(), fd, ec);
    boost::beast::flat_buffer buffer;
    while (!ec) {
      http::request_parser<http::string_body> parser;
      // Go's http.DefaultMaxHeaderBytes: a request line with thousands of addresses fits.
      parser.header_limit(1 << 20);
      parser.body_limit(64 * 1024);
      http::read(socket, buffer, parser, ec);
      if (ec == http::error::end_of_stream || ec == asio::error::eof ||
          ec == asio::error::connection_reset || ec == asio::error::operation_aborted ||
          ec == asio::error::would_block || ec == asio::error::try_again) {
        break;
      }
      if (ec) {
        // What Go answers to a request it cannot parse.
        static constexpr absl::string_view kBad =
            "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Connection: close\r\n\r\n400 Bad Request";
        boost::system::error_code ignored;
        asio::write(socket, asio::buffer(kBad.data(), kBad.size()), ignored);
        break;
      }
      const auto& request = parser.get();
      const std::string target(request.target());
      const IpServiceAnswer answer = AnswerIpRequest(*store_->Get(), target);
      const bool keep_alive = request.keep_alive();
      const std::string bytes = Serialize(answer, request.version(), keep_alive);
      asio::write(socket, asio::buffer(bytes), ec);
      if (!ec && answer.status == 200) metrics::ServerRpcs().WithLabels({"success"}).Increment();
      if (ec && answer.status == 200) {
        metrics::ServerRpcs().WithLabels({"write_error"}).Increment();
      }
      if (!keep_alive) break;
    }
    // Forgotten before it is closed, so Shutdown never touches a reused descriptor number.
    absl::MutexLock lock(&mu_);
    connections_.erase(std::remove(connections_.begin(), connections_.end(), fd),
                       connections_.end());
  }  // The socket closes fd here; Shutdown waits for the lock, so this thread is done with it.
}

}  // namespace mlab::uuid_annotator
