#include "services/tcp-info/jsonl_event_server.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "glog/logging.h"
#include "lib/unixsocket/socket_path.h"

namespace mlab::tcpinfo {

JsonlEventServer::JsonlEventServer(std::string socket_path)
    : JsonlEventServer(std::move(socket_path), Options()) {}

JsonlEventServer::JsonlEventServer(std::string socket_path, Options options)
    : socket_path_(std::move(socket_path)), options_(options) {}

JsonlEventServer::~JsonlEventServer() { Shutdown(); }

absl::Status JsonlEventServer::Start() {
  if (listener_ >= 0) return absl::FailedPreconditionError("already started");
  absl::StatusOr<sockaddr_un> address = unixsocket::SocketAddress(socket_path_);
  if (!address.ok()) return address.status();
  if (absl::Status ready = unixsocket::PrepareSocketPath(socket_path_); !ready.ok()) return ready;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return absl::ErrnoToStatus(errno, "unix socket");
  if (bind(fd, reinterpret_cast<const sockaddr*>(&*address), sizeof(*address)) != 0 ||
      listen(fd, 64) != 0) {
    absl::Status status = absl::ErrnoToStatus(errno, absl::StrCat("listen on ", socket_path_));
    close(fd);
    return status;
  }
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) {
    absl::Status status = absl::ErrnoToStatus(errno, "eventfd");
    close(fd);
    unixsocket::RemoveSocket(socket_path_);
    return status;
  }
  listener_ = fd;
  thread_ = std::thread([this] { Serve(); });
  return absl::OkStatus();
}

void JsonlEventServer::Wake() {
  if (wake_pending_.exchange(true)) return;
  uint64_t one = 1;
  if (wake_fd_ >= 0) (void)!write(wake_fd_, &one, sizeof(one));
}

void JsonlEventServer::Publish(absl::string_view line) {
  {
    absl::MutexLock lock(&mu_);
    if (clients_.empty()) return;
    for (Client& client : clients_) {
      if (client.drop) continue;
      if (client.pending.size() + line.size() > options_.max_queued_bytes) {
        client.drop = true;
        ++stats_.dropped_total;
        LOG(WARNING) << "event socket client " << client.fd << " fell behind; disconnecting it";
        continue;
      }
      client.pending.append(line.data(), line.size());
      ++client.events_pending;
    }
  }
  Wake();
}

void JsonlEventServer::Serve() {
  std::vector<pollfd> fds;
  char scratch[512];
  while (!stopping_.load()) {
    fds.clear();
    fds.push_back({wake_fd_, POLLIN, 0});
    fds.push_back({listener_, POLLIN, 0});
    {
      absl::MutexLock lock(&mu_);
      for (const Client& client : clients_) {
        int16_t events = POLLIN;
        if (!client.pending.empty()) events |= POLLOUT;
        fds.push_back({client.fd, events, 0});
      }
    }
    if (poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) {
      PLOG(ERROR) << "event socket poll";
      return;
    }
    if (fds[0].revents & POLLIN) {
      uint64_t count;
      (void)!read(wake_fd_, &count, sizeof(count));
      wake_pending_.store(false);  // before taking the queues: later events wake again
    }
    absl::MutexLock lock(&mu_);
    // Only this thread adds or removes clients, so clients_ still matches fds here.
    for (size_t i = 2; i < fds.size(); ++i) {
      Client& client = clients_[i - 2];
      if (client.drop) continue;
      if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
        // Clients never speak; data is discarded, EOF or an error means they left.
        ssize_t n = recv(client.fd, scratch, sizeof(scratch), MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
          client.drop = true;
          continue;
        }
      }
      while (!client.pending.empty()) {
        ssize_t n = send(client.fd, client.pending.data(), client.pending.size(),
                         MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0) {
          if (errno != EAGAIN && errno != EINTR) client.drop = true;
          break;
        }
        client.pending.erase(0, static_cast<size_t>(n));
        if (client.pending.empty()) {
          stats_.events_sent_total += static_cast<int64_t>(client.events_pending);
          client.events_pending = 0;
        }
      }
    }
    for (auto it = clients_.begin(); it != clients_.end();) {
      if (it->drop) {
        close(it->fd);
        it = clients_.erase(it);
      } else {
        ++it;
      }
    }
    if (fds[1].revents & POLLIN) {
      while (true) {
        int fd = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) break;
        if (static_cast<int>(clients_.size()) >= options_.max_clients) {
          LOG(WARNING) << "event socket: too many clients, refusing one";
          close(fd);
          continue;
        }
        clients_.push_back(Client{fd});
        ++stats_.accepted_total;
      }
    }
    stats_.clients = static_cast<int64_t>(clients_.size());
  }
}

void JsonlEventServer::Shutdown() {
  if (listener_ < 0) return;
  stopping_.store(true);
  wake_pending_.store(false);
  Wake();
  if (thread_.joinable()) thread_.join();
  absl::MutexLock lock(&mu_);
  for (Client& client : clients_) close(client.fd);
  clients_.clear();
  stats_.clients = 0;
  close(listener_);
  close(wake_fd_);
  listener_ = wake_fd_ = -1;
  unixsocket::RemoveSocket(socket_path_);
}

bool JsonlEventServer::WaitForClients(int count, absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  auto enough = [this, count]()
                    ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stats_.clients >= count; };
  return mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
}

JsonlEventServer::Stats JsonlEventServer::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

}  // namespace mlab::tcpinfo
