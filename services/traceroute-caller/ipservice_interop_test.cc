// Interop with M-Lab's own Go uuid-annotator (v0.5.10, built by tools/setup.d/50-uuid-annotator.sh
// when the Go module proxy is reachable; skipped otherwise): its ipservice answers our HTTP client,
// and the hopannotation2 files we write from its answers are byte for byte what upstream
// traceroute-caller writes (json.Marshal of the same annotator.ClientAnnotations value).
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "lib/testing/temp_dir.h"
#include "services/traceroute-caller/hop_annotation.h"
#include "services/traceroute-caller/ipservice_client.h"
#include "services/traceroute-caller/testing/fake_annotator.h"

namespace mlab::trc {
namespace {

constexpr char kUpstream[] = "/usr/local/lib/mlab-peers/bin/uuid-annotator";

std::string Output(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) out.append(buf, n);
  pclose(pipe);
  return out;
}

TEST(IpServiceInteropTest, UpstreamAnnotatorAnswersAndFilesMatchUpstreamBytes) {
  if (access(kUpstream, X_OK) != 0) GTEST_SKIP() << kUpstream << " not installed";
  ::mlab::testing::ShortTempDir tmp;
  const std::string dir = tmp.path();
  std::string data = std::filesystem::absolute("external/shared_testdata/uuid-annotator").string();
  std::vector<std::string> argv = {
      kUpstream,
      "-ipservice.sock=" + dir + "/ip.sock",
      "-datadir=" + dir + "/out",
      "-maxmind.url=file://" + data + "/testdata/fake.tar.gz",
      "-routeview-v4.url=file://" + data + "/testdata/RouteViewIPv4.tiny.gz",
      "-routeview-v6.url=file://" + data + "/testdata/RouteViewIPv6.tiny.gz",
      "-asname.url=file://" + data + "/data/asnames.ipinfo.csv",
      "-siteinfo.url=file://" + data + "/testdata/annotations.json",
      "-hostname=mlab1-lga03.mlab-sandbox.measurement-lab.org",
      "-prometheusx.listen-address=127.0.0.1:0",
  };
  std::vector<char*> args;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, (dir + "/log").c_str(), O_WRONLY | O_CREAT, 0644);
  pid_t pid = -1;
  ASSERT_EQ(posix_spawn(&pid, kUpstream, &actions, nullptr, args.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);

  IpServiceClient client(dir + "/ip.sock", absl::Seconds(10));
  const std::vector<std::string> ips = {"2.125.160.216", "81.2.69.142", "1.0.0.1", "::1"};
  absl::StatusOr<HopAnnotations> annotations;
  // Bounded wait for the upstream service to load its data and listen.
  absl::Time give_up = absl::Now() + absl::Seconds(30);
  do {
    annotations = client.Annotate(ips);
    if (annotations.ok()) break;
    absl::SleepFor(absl::Milliseconds(50));
  } while (absl::Now() < give_up);
  ASSERT_TRUE(annotations.ok()) << annotations.status();
  ASSERT_EQ(annotations->size(), ips.size());
  const annotation::ClientAnnotations& boxford = annotations->at("2.125.160.216");
  ASSERT_TRUE(boxford.network.has_value() && boxford.geo.has_value());
  EXPECT_EQ(boxford.network->as_number, 5607u);
  EXPECT_EQ(boxford.geo->city, "Boxford");

  absl::Time start = absl::FromUnixSeconds(1629308672);
  for (const std::string& ip : ips) {
    // Upstream's own JSON for this address, as upstream traceroute-caller embeds it.
    std::string body = Output("curl -s --unix-socket " + dir +
                              "/ip.sock 'http://unix/v1/annotate/ips?ip=" + ip + "'");
    std::string prefix = "{\"" + ip + "\":";
    ASSERT_EQ(body.substr(0, prefix.size()), prefix) << body;
    std::string value = body.substr(prefix.size(), body.size() - prefix.size() - 1);
    std::string id = HopAnnotationID(start, "host", ip);
    EXPECT_EQ(HopAnnotationJson(id, start, &annotations->at(ip)),
              absl::StrCat("{\"ID\":\"", id,
                           "\",\"Timestamp\":\"2021-08-18T17:44:32Z\","
                           "\"Annotations\":",
                           value, "}"));
  }
  kill(pid, SIGTERM);
  int status;
  waitpid(pid, &status, 0);
}

}  // namespace
}  // namespace mlab::trc
