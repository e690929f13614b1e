#include "services/traceroute-caller/ipservice_client.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/annotation/decode.h"
#include "lib/url/escape.h"
#include "services/traceroute-caller/trace_metrics.h"

namespace mlab::trc {
namespace {

constexpr size_t kMaxResponseBytes = 16 << 20;

// Waits until `fd` is ready for `events` or the deadline passes.
bool WaitFor(int fd, short events, absl::Time deadline) {
  while (true) {
    absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return false;
    pollfd p = {fd, events, 0};
    int ready = poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1);
    if (ready > 0) return true;
    if (ready < 0 && errno != EINTR) return false;
  }
}

absl::StatusOr<std::string> Exchange(const std::string& socket_path, const std::string& request,
                                     absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof(addr.sun_path)) {
    return absl::InvalidArgumentError("socket path too long: " + socket_path);
  }
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size());
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return absl::ErrnoToStatus(errno, "socket");
  auto fail = [fd](absl::Status status) {
    close(fd);
    return status;
  };
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 && errno != EINPROGRESS &&
      errno != EAGAIN) {
    return fail(absl::ErrnoToStatus(errno, absl::StrCat("connect ", socket_path)));
  }
  size_t sent = 0;
  while (sent < request.size()) {
    if (!WaitFor(fd, POLLOUT, deadline)) return fail(absl::DeadlineExceededError("sending"));
    ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN && errno != EINTR) return fail(absl::ErrnoToStatus(errno, "send"));
    if (n > 0) sent += static_cast<size_t>(n);
  }
  std::string response;
  char buf[16384];
  while (true) {
    if (!WaitFor(fd, POLLIN, deadline)) return fail(absl::DeadlineExceededError("receiving"));
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return fail(absl::ErrnoToStatus(errno, "recv"));
    }
    response.append(buf, static_cast<size_t>(n));
    if (response.size() > kMaxResponseBytes) return fail(absl::ResourceExhaustedError("too big"));
  }
  close(fd);
  return response;
}

}  // namespace

std::string IpServiceRequest(const std::vector<std::string>& ips) {
  std::string query;
  for (const std::string& ip : ips) {
    absl::StrAppend(&query, query.empty() ? "?" : "&", "ip=", url::QueryEscape(ip));
  }
  return absl::StrCat("GET /v1/annotate/ips", query,
                      " HTTP/1.1\r\nHost: unix\r\nUser-Agent: traceroute-caller\r\n"
                      "Connection: close\r\n\r\n");
}

absl::StatusOr<std::string> HttpResponseBody(absl::string_view response) {
  size_t header_end = response.find("\r\n\r\n");
  if (header_end == absl::string_view::npos) return absl::DataLossError("truncated HTTP response");
  std::vector<absl::string_view> lines = absl::StrSplit(response.substr(0, header_end), "\r\n");
  std::vector<absl::string_view> status = absl::StrSplit(lines[0], absl::MaxSplits(' ', 2));
  if (status.size() < 2 || !absl::StartsWith(status[0], "HTTP/1.")) {
    return absl::DataLossError("not an HTTP response");
  }
  if (status[1] != "200") {
    return absl::UnavailableError(absl::StrCat("annotation service answered ", lines[0]));
  }
  bool chunked = false;
  size_t length = absl::string_view::npos;
  for (size_t i = 1; i < lines.size(); ++i) {
    size_t colon = lines[i].find(':');
    if (colon == absl::string_view::npos) continue;
    absl::string_view name = lines[i].substr(0, colon);
    absl::string_view value = absl::StripAsciiWhitespace(lines[i].substr(colon + 1));
    if (absl::EqualsIgnoreCase(name, "Transfer-Encoding")) {
      chunked = absl::StrContains(absl::AsciiStrToLower(value), "chunked");
    } else if (absl::EqualsIgnoreCase(name, "Content-Length")) {
      if (!absl::SimpleAtoi(value, &length)) return absl::DataLossError("bad Content-Length");
    }
  }
  absl::string_view rest = response.substr(header_end + 4);
  if (!chunked) {
    if (length == absl::string_view::npos) return std::string(rest);
    if (rest.size() < length) return absl::DataLossError("truncated HTTP body");
    return std::string(rest.substr(0, length));
  }
  std::string body;
  while (true) {
    size_t eol = rest.find("\r\n");
    if (eol == absl::string_view::npos) return absl::DataLossError("truncated chunk");
    absl::string_view size_text = rest.substr(0, eol);
    size_text = size_text.substr(0, size_text.find(';'));
    size_t size = 0;
    if (!absl::SimpleHexAtoi(absl::StripAsciiWhitespace(size_text), &size)) {
      return absl::DataLossError("bad chunk size");
    }
    rest.remove_prefix(eol + 2);
    if (size == 0) return body;
    if (rest.size() < size + 2) return absl::DataLossError("truncated chunk");
    absl::StrAppend(&body, rest.substr(0, size));
    rest.remove_prefix(size + 2);
  }
}

absl::StatusOr<HopAnnotations> ParseIpServiceReply(absl::string_view body) {
  absl::StatusOr<HopAnnotations> answers = annotation::ParseClientAnnotationsMap(body);
  if (!answers.ok()) {
    return absl::DataLossError(
        absl::StrCat("unexpected annotation reply: ", answers.status().message()));
  }
  return answers;
}

IpServiceClient::IpServiceClient(std::string socket_path, absl::Duration timeout)
    : socket_path_(std::move(socket_path)), timeout_(timeout) {}

absl::StatusOr<HopAnnotations> IpServiceClient::Annotate(const std::vector<std::string>& ips) {
  auto& rpcs = TraceMetrics::Get().annotator_rpcs;
  absl::StatusOr<std::string> response = Exchange(socket_path_, IpServiceRequest(ips), timeout_);
  if (!response.ok()) {
    rpcs.WithLabels({"get_error"}).Increment();
    return response.status();
  }
  absl::StatusOr<std::string> body = HttpResponseBody(*response);
  if (!body.ok()) {
    rpcs.WithLabels({absl::IsUnavailable(body.status()) ? "http_status_error" : "read_error"})
        .Increment();
    return body.status();
  }
  absl::StatusOr<HopAnnotations> annotations = ParseIpServiceReply(*body);
  rpcs.WithLabels({annotations.ok() ? "success" : "unmarshal_error"}).Increment();
  return annotations;
}

}  // namespace mlab::trc
