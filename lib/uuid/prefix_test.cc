#include "lib/uuid/prefix.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "gtest/gtest.h"

namespace mlab::uuid {
namespace {

PrefixSources Sources(std::string pod, std::string host, std::string uptime) {
  return PrefixSources{std::move(pod), std::move(host), std::move(uptime),
                       absl::FromUnixSeconds(1553815964 + 100) + absl::Milliseconds(700)};
}

TEST(GeneratePrefix, PodNameWinsOverHostname) {
  EXPECT_EQ(GeneratePrefix(Sources("ndt-jdczh", "node1", "100.25 180.00\n")),
            "ndt-jdczh_1553815964");
  EXPECT_EQ(GeneratePrefix(Sources("", "node1", "100.25 180.00\n")), "node1_1553815964");
}

TEST(GeneratePrefix, BootTimeIsTruncatedToSeconds) {
  // now - uptime = ...964.9 s, which upstream truncates to 964, not rounds to 965.
  EXPECT_EQ(GeneratePrefix(Sources("p", "", "99.8 1.0\n")), "p_1553815964");
}

TEST(GeneratePrefix, UpstreamFallbacks) {
  EXPECT_EQ(GeneratePrefix(Sources("", "", "1.0 1.0")), "BADPREFIX");
  EXPECT_EQ(GeneratePrefix(Sources("p", "", "")), "p_BADBOOTTIME");
  EXPECT_EQ(GeneratePrefix(Sources("p", "", "abc 1.0")), "p_BADBOOTTIME");
  EXPECT_EQ(UnsafePrefix(Sources("p", "", "100.7 1")), "p_1553815964_unsafe");
}

TEST(GeneratePrefix, SystemSourcesGiveAPrefix) {
  std::string prefix = GeneratePrefix(SystemPrefixSources());
  EXPECT_EQ(prefix.find("BAD"), std::string::npos) << prefix;
}

TEST(PrefixFile, WrittenReadOnlyWithoutNewlineAndReadRaw) {
  char dir_template[] = "/tmp/prefixXXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  std::string path = std::string(dir_template) + "/prefix";
  ASSERT_TRUE(WritePrefixFile(path, "ndt-jdczh_1553815964").ok());
  struct stat info;
  ASSERT_EQ(stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0444u);
  absl::StatusOr<std::string> read = ReadPrefixFile(path);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, "ndt-jdczh_1553815964");
  // Rewriting replaces a read-only file atomically (the init container may run again).
  ASSERT_TRUE(WritePrefixFile(path, "ndt-other_1").ok());
  EXPECT_EQ(*ReadPrefixFile(path), "ndt-other_1");
  EXPECT_FALSE(ReadPrefixFile(std::string(dir_template) + "/missing").ok());
  std::filesystem::remove_all(dir_template);
}

}  // namespace
}  // namespace mlab::uuid
