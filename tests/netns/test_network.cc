#include "tests/netns/test_network.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <thread>

#include "absl/strings/str_cat.h"

namespace mlab::testing {

absl::Status Shell(const std::string& command) {
  std::string full = command + " 2>&1";
  FILE* pipe = popen(full.c_str(), "r");
  if (pipe == nullptr) return absl::InternalError(absl::StrCat("popen failed: ", command));
  std::string output;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) output.append(buffer.data(), n);
  int status = pclose(pipe);
  if (status != 0) {
    return absl::InternalError(absl::StrCat("`", command, "` failed (", status, "): ", output));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<TestNetwork>> TestNetwork::Create() {
  static std::atomic<int> counter{0};
  std::string tag = absl::StrCat(getpid() % 100000, "-", counter.fetch_add(1));
  std::unique_ptr<TestNetwork> network(new TestNetwork());
  network->server_ns_ = absl::StrCat("mlabt-s-", tag);
  network->client_ns_ = absl::StrCat("mlabt-c-", tag);
  network->server_if_ = "veth-srv";
  const std::string& s = network->server_ns_;
  const std::string& c = network->client_ns_;
  const std::string in_s = ExecPrefix(s) + " ";
  const std::string in_c = ExecPrefix(c) + " ";
  // The destructor removes whatever part of this was made.
  for (const std::string& command : {
           absl::StrCat("ip netns add ", s),
           absl::StrCat("ip netns add ", c),
           absl::StrCat("ip -n ", s, " link add veth-srv type veth peer name veth-cli netns ", c),
           absl::StrCat(in_s, "sysctl -qw net.ipv6.conf.all.accept_dad=0"),
           absl::StrCat(in_c, "sysctl -qw net.ipv6.conf.all.accept_dad=0"),
           absl::StrCat(in_s, "sysctl -qw net.ipv6.conf.default.accept_dad=0"),
           absl::StrCat(in_c, "sysctl -qw net.ipv6.conf.default.accept_dad=0"),
           absl::StrCat("ip -n ", s, " addr add ", kServerV4, "/24 dev veth-srv"),
           absl::StrCat("ip -n ", c, " addr add ", kClientV4, "/24 dev veth-cli"),
           absl::StrCat("ip -n ", s, " addr add ", kServerV6, "/64 dev veth-srv nodad"),
           absl::StrCat("ip -n ", c, " addr add ", kClientV6, "/64 dev veth-cli nodad"),
           absl::StrCat("ip -n ", s, " link set lo up"),
           absl::StrCat("ip -n ", c, " link set lo up"),
           absl::StrCat("ip -n ", s, " link set veth-srv up"),
           absl::StrCat("ip -n ", c, " link set veth-cli up"),
       }) {
    if (absl::Status status = Shell(command); !status.ok()) return status;
  }
  // The link is usable once the kernel answers a ping both ways on each family.
  for (const std::string& command : {
           absl::StrCat(in_c, "ping -c1 -W5 ", kServerV4),
           absl::StrCat(in_c, "ping -6 -c1 -W5 ", kServerV6),
       }) {
    if (absl::Status status = Shell(command); !status.ok()) return status;
  }
  return network;
}

TestNetwork::~TestNetwork() {
  for (const std::string& ns : {server_ns_, client_ns_}) {
    if (!ns.empty()) Shell(absl::StrCat("ip netns del ", ns)).IgnoreError();
  }
}

std::string TestNetwork::ExecPrefix(const std::string& ns) {
  return absl::StrCat("ip netns exec ", ns);
}

absl::Status TestNetwork::EnterNamespace(const std::string& ns) {
  std::string path = absl::StrCat("/var/run/netns/", ns);
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("open ", path));
  int result = setns(fd, CLONE_NEWNET);
  int saved = errno;
  close(fd);
  if (result != 0) return absl::ErrnoToStatus(saved, absl::StrCat("setns ", ns));
  return absl::OkStatus();
}

absl::Status TestNetwork::RunIn(const std::string& ns, const std::function<void()>& work) {
  absl::Status status;
  std::thread thread([&] {
    status = EnterNamespace(ns);
    if (status.ok()) work();
  });
  thread.join();
  return status;
}

}  // namespace mlab::testing
