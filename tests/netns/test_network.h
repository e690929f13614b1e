#ifndef MLAB_TESTS_NETNS_TEST_NETWORK_H_
#define MLAB_TESTS_NETNS_TEST_NETWORK_H_

// A private two-host network for integration tests: a "server" and a "client" network namespace
// joined by a veth pair, addressed from the documentation ranges (192.0.2.0/24, 2001:db8::/64).
// Real packets, real kernel sockets, nothing leaves the machine; the namespaces are removed when
// the object is destroyed. Needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN).

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace mlab::testing {

class TestNetwork {
 public:
  static constexpr char kServerV4[] = "192.0.2.1";
  static constexpr char kClientV4[] = "192.0.2.2";
  static constexpr char kServerV6[] = "2001:db8::1";
  static constexpr char kClientV6[] = "2001:db8::2";

  // Creates both namespaces with unique names, the veth pair and the addresses, and waits until
  // IPv6 addresses are usable (DAD disabled).
  static absl::StatusOr<std::unique_ptr<TestNetwork>> Create();
  ~TestNetwork();

  const std::string& server_ns() const { return server_ns_; }
  const std::string& client_ns() const { return client_ns_; }
  const std::string& server_interface() const { return server_if_; }

  // Moves the calling thread into a namespace (network namespaces are per thread); sockets it
  // creates afterwards live there. Run this on a thread of its own.
  static absl::Status EnterNamespace(const std::string& ns);

  // Runs `work` on a new thread inside `ns` and waits for it.
  static absl::Status RunIn(const std::string& ns, const std::function<void()>& work);

  // The argv prefix that runs a command inside `ns`: {"ip", "netns", "exec", ns}.
  static std::string ExecPrefix(const std::string& ns);

 private:
  TestNetwork() = default;
  std::string server_ns_;
  std::string client_ns_;
  std::string server_if_;
};

// Runs a shell command, returning its exit status as a Status (Internal with the output on
// failure).
absl::Status Shell(const std::string& command);

}  // namespace mlab::testing

#endif  // MLAB_TESTS_NETNS_TEST_NETWORK_H_
