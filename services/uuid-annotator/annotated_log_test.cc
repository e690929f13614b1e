#include "services/uuid-annotator/annotated_log.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "services/uuid-annotator/test_util.h"

namespace mlab::uuid_annotator {
namespace {

using testing::TempDir;

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

std::string Contents(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(AnnotatedLogTest, RemembersAcrossInstancesForTheRetentionOnly) {
  TempDir dir;
  const std::string path = dir.File("state/annotated.log");
  {
    AnnotatedLog log(path);
    ASSERT_TRUE(log.Load(kNow).ok());  // creates state/
    ASSERT_TRUE(log.Record("old", kNow - absl::Hours(47)).ok());
    ASSERT_TRUE(log.Record("new", kNow).ok());
  }
  AnnotatedLog later(path);
  ASSERT_TRUE(later.Load(kNow + absl::Hours(2)).ok());
  EXPECT_TRUE(later.Contains("new"));
  EXPECT_FALSE(later.Contains("old"));            // 49 h old
  EXPECT_EQ(Contents(path), "1700000000 new\n");  // compacted on load
}

TEST(AnnotatedLogTest, SkipsMalformedLinesAndCompactsWhileRunning) {
  TempDir dir;
  const std::string path = dir.File("annotated.log");
  std::ofstream(path) << "garbage\n1699999999 kept\n\nx y\n1699999998\n";
  AnnotatedLog::Options options;
  options.retention = absl::Seconds(10);
  options.compact_slack = 3;
  AnnotatedLog log(path, options);
  ASSERT_TRUE(log.Load(kNow).ok());
  EXPECT_TRUE(log.Contains("kept"));
  EXPECT_EQ(log.size(), 1u);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(log.Record("u" + std::to_string(i), kNow + absl::Seconds(i)).ok());
  }
  // Only the last 10 s are live, and the file never holds more than live + slack + 1 lines.
  EXPECT_FALSE(log.Contains("u5"));
  EXPECT_TRUE(log.Contains("u19"));
  const std::string text = Contents(path);
  EXPECT_LE(std::count(text.begin(), text.end(), '\n'), static_cast<long>(log.size() + 4));
}

TEST(AnnotatedLogTest, WorksInMemoryWhenTheFileCannotBeWritten) {
  AnnotatedLog log("/proc/annotated-log-test/annotated.log");
  EXPECT_FALSE(log.Load(kNow).ok());
  EXPECT_TRUE(log.Record("u", kNow).ok());
  EXPECT_TRUE(log.Contains("u"));
}

}  // namespace
}  // namespace mlab::uuid_annotator
