// flow_holder: opens N TCP connections from one network namespace to another and holds both ends
// open, for bench/tcp-info/run.sh. The listener and every accepted socket live in -server_netns
// (where the pollers run) in this process, every client socket in -client_netns in a child. Each
// flow first moves -bytes in each direction, so its tcp_info is that of a flow that carried data.
// Prints "ready <N>" once all flows are established and idle, then holds them until SIGTERM/SIGINT
// or -hold elapses.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "lib/flags/flags.h"

namespace {

using ::mlab::flags::Flag;

Flag<std::string> FLAGS_server_netns("server_netns", "",
                                     "Network namespace (ip netns name) of the listening side.");
Flag<std::string> FLAGS_client_netns("client_netns", "",
                                     "Network namespace (ip netns name) of the connecting side.");
Flag<std::string> FLAGS_server_ip("server_ip", "192.0.2.1",
                                  "IPv4 address to listen on, in the server namespace.");
Flag<int64_t> FLAGS_flows("flows", 1000, "Connections to open and hold.");
Flag<int64_t> FLAGS_bytes("bytes", 1000, "Bytes each flow carries in each direction.");
Flag<absl::Duration> FLAGS_hold("hold", absl::Minutes(10),
                                "Longest time the flows are held (the bench stops us earlier).");

// Fails the whole program with a message naming what failed.
[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "flow_holder: %s: %s\n", what.c_str(), std::strerror(errno));
  std::exit(1);
}

// Moves this (single-threaded) process into network namespace `name`: sockets created from now
// on belong there; sockets created before keep their namespace.
void EnterNetns(const std::string& name) {
  const int fd = open(absl::StrCat("/run/netns/", name).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) Die("open netns " + name);
  if (setns(fd, CLONE_NEWNET) != 0) Die("setns " + name);
  close(fd);
}

void WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n <= 0) Die("write");
    done += static_cast<size_t>(n);
  }
}

void ReadExactly(int fd, size_t bytes) {
  char buffer[65536];
  while (bytes > 0) {
    const ssize_t n = read(fd, buffer, std::min(bytes, sizeof(buffer)));
    if (n <= 0) Die("read");
    bytes -= static_cast<size_t>(n);
  }
}

// The connecting side, in a child process (each process then needs only N descriptors): connects
// `flows` clients, sends `payload` on each and reads as much back, reports on `done_fd`, then
// holds its ends until told to stop (or its parent dies).
[[noreturn]] void RunClients(const sockaddr_in& address, size_t flows, const std::string& payload,
                             int done_fd, const sigset_t& stop) {
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  EnterNetns(*FLAGS_client_netns);
  std::vector<int> clients;
  clients.reserve(flows);
  for (size_t i = 0; i < flows; ++i) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) Die("socket");
    if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
      Die("connect");
    }
    clients.push_back(fd);
  }
  for (int fd : clients) WriteAll(fd, payload);
  for (int fd : clients) ReadExactly(fd, payload.size());
  sigprocmask(SIG_BLOCK, &stop, nullptr);
  WriteAll(done_fd, "1");
  close(done_fd);
  const timespec hold = absl::ToTimespec(*FLAGS_hold);
  sigtimedwait(&stop, nullptr, &hold);
  for (int fd : clients) close(fd);
  _exit(0);
}

// Raises the soft limit on open files to `needed` (the hard limit cannot be raised here).
void NeedFiles(rlim_t needed) {
  rlimit limit;
  getrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur >= needed) return;
  limit.rlim_cur = needed;
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0) Die(absl::StrCat("raise RLIMIT_NOFILE to ", needed));
}

int Main(int argc, char** argv) {
  mlab::flags::ParseOrExit(argc, argv, "Holds N established TCP flows between two namespaces.");
  if (FLAGS_server_netns->empty() || FLAGS_client_netns->empty() || *FLAGS_flows < 1) {
    std::fprintf(stderr, "flow_holder: -server_netns, -client_netns and -flows >= 1 needed\n");
    return 2;
  }
  const size_t flows = static_cast<size_t>(*FLAGS_flows);
  NeedFiles(flows + 64);
  // Until the flows are ready, a stop signal or a stuck setup simply ends the process.
  alarm(300);
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);

  sockaddr_in address{};
  address.sin_family = AF_INET;
  if (inet_pton(AF_INET, FLAGS_server_ip->c_str(), &address.sin_addr) != 1) {
    std::fprintf(stderr, "flow_holder: bad -server_ip %s\n", FLAGS_server_ip->c_str());
    return 2;
  }
  EnterNetns(*FLAGS_server_netns);
  const int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener < 0) Die("socket");
  if (bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) Die("bind");
  if (listen(listener, 4096) != 0) Die("listen");
  socklen_t length = sizeof(address);
  getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);

  const std::string payload(static_cast<size_t>(std::max<int64_t>(*FLAGS_bytes, 0)), 'x');
  int done[2];
  if (pipe2(done, O_CLOEXEC) != 0) Die("pipe");
  const pid_t child = fork();
  if (child < 0) Die("fork");
  if (child == 0) {
    close(listener);
    close(done[0]);
    RunClients(address, flows, payload, done[1], stop);
  }
  close(done[1]);
  // Accepting while the child connects keeps the backlog from filling.
  std::vector<int> servers;
  servers.reserve(flows);
  while (servers.size() < flows) {
    const int fd = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) Die("accept");
    servers.push_back(fd);
  }
  close(listener);
  for (int fd : servers) {
    ReadExactly(fd, payload.size());
    WriteAll(fd, payload);
  }
  char byte;
  if (read(done[0], &byte, 1) != 1) Die("the connecting side failed");
  close(done[0]);
  sigprocmask(SIG_BLOCK, &stop, nullptr);
  alarm(0);
  // Every flow has carried its data both ways and is idle.
  std::printf("ready %zu\n", flows);
  std::fflush(stdout);

  const timespec hold = absl::ToTimespec(*FLAGS_hold);
  const int signal_number = sigtimedwait(&stop, nullptr, &hold);
  kill(child, SIGTERM);
  int status = 0;
  waitpid(child, &status, 0);
  for (int fd : servers) close(fd);
  std::fprintf(stderr, "flow_holder: released %zu flows (%s)\n", flows,
               signal_number > 0 ? strsignal(signal_number) : "hold elapsed");
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return Main(argc, argv); }
