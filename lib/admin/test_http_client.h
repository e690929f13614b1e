#ifndef MLAB_LIB_ADMIN_TEST_HTTP_CLIENT_H_
#define MLAB_LIB_ADMIN_TEST_HTTP_CLIENT_H_

// A tiny blocking HTTP/1.1 client on raw sockets for the admin server tests: the server is tested
// from the outside, with bytes a scraper or a broken client would send.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"

namespace mlab::admin::testing {

struct Reply {
  int status = 0;       // 0 if nothing parsable came back.
  std::string headers;  // Lower-cased, for simple searches like "content-type: text/plain".
  std::string body;
};

// Connects to 127.0.0.1:port (or [::1]:port); returns the fd or -1. Reads time out after 10 s.
inline int Connect(int port, bool ipv6 = false) {
  const int fd = socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  timeval timeout{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  int rc;
  if (ipv6) {
    sockaddr_in6 addr{};
    addr.sin6_family = AF_INET6;
    addr.sin6_port = htons(port);
    addr.sin6_addr = in6addr_loopback;
    rc = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  } else {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    rc = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  }
  if (rc != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

inline bool SendAll(int fd, absl::string_view data) {
  while (!data.empty()) {
    const ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(n);
  }
  return true;
}

// Everything the server sends until it closes the connection (or the read times out).
inline std::string ReadAll(int fd) {
  std::string out;
  char buf[16384];
  for (;;) {
    const ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    out.append(buf, n);
  }
  return out;
}

// Sends `raw` on a new connection and returns all the bytes of the answer.
inline std::string Exchange(int port, absl::string_view raw, bool ipv6 = false) {
  const int fd = Connect(port, ipv6);
  if (fd < 0) return "";
  SendAll(fd, raw);
  std::string out = ReadAll(fd);
  close(fd);
  return out;
}

// Parses the first response in `raw`; `rest` gets the bytes after it (pipelined responses).
inline Reply ParseReply(absl::string_view raw, std::string* rest = nullptr) {
  Reply reply;
  const size_t end = raw.find("\r\n\r\n");
  if (raw.substr(0, 9) != "HTTP/1.1 " || end == absl::string_view::npos) return reply;
  reply.status = std::atoi(std::string(raw.substr(9, 3)).c_str());
  reply.headers = absl::AsciiStrToLower(raw.substr(0, end + 2));
  size_t length = raw.size() - end - 4;
  const size_t cl = reply.headers.find("content-length: ");
  if (cl != std::string::npos) length = std::atoi(reply.headers.c_str() + cl + 16);
  reply.body = std::string(raw.substr(end + 4, length));
  if (rest != nullptr) *rest = std::string(raw.substr(std::min(raw.size(), end + 4 + length)));
  return reply;
}

inline Reply Request(int port, absl::string_view method, absl::string_view target,
                     bool ipv6 = false) {
  const std::string raw = std::string(method) + " " + std::string(target) +
                          " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n";
  return ParseReply(Exchange(port, raw, ipv6));
}

inline Reply Get(int port, absl::string_view target) { return Request(port, "GET", target); }

}  // namespace mlab::admin::testing

#endif  // MLAB_LIB_ADMIN_TEST_HTTP_CLIENT_H_
