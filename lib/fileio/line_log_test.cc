#include "lib/fileio/line_log.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/fileio/files.h"
#include "lib/testing/small_filesystem.h"
#include "lib/testing/temp_dir.h"

namespace mlab::fileio {
namespace {

using ::mlab::testing::SmallFilesystem;
using ::mlab::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(LineLogTest, AppendsRecordsAndReadsThemBack) {
  TempDir dir;
  LineLog log(dir.File("log"));
  EXPECT_THAT(*log.ReadAll(), IsEmpty());  // Missing: no records.
  EXPECT_FALSE(log.Append("early").ok());  // Not open.
  ASSERT_TRUE(log.Open().ok());
  ASSERT_TRUE(log.Append("one").ok());
  ASSERT_TRUE(log.Append("two words").ok());
  EXPECT_EQ(log.Append("three\nfour").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(*log.ReadAll(), ElementsAre("one", "two words"));
  EXPECT_EQ(*ReadWholeFile(log.path()), "one\ntwo words\n");
  // Reopening appends after what is there.
  LineLog again(dir.File("log"));
  ASSERT_TRUE(again.Open().ok());
  ASSERT_TRUE(again.Append("three").ok());
  EXPECT_THAT(*again.ReadAll(), ElementsAre("one", "two words", "three"));
}

TEST(LineLogTest, OpenDropsARecordACrashCutShort) {
  TempDir dir;
  const std::string path = dir.WriteFile("log", "one\ntwo\nthr");
  LineLog log(path);
  EXPECT_THAT(*log.ReadAll(), ElementsAre("one", "two"));  // Even before Open.
  ASSERT_TRUE(log.Open().ok());
  ASSERT_TRUE(log.Append("four").ok());
  EXPECT_EQ(*ReadWholeFile(path), "one\ntwo\nfour\n");
  // A log that is all torn tail.
  LineLog only_torn(dir.WriteFile("torn", "no newline yet"));
  ASSERT_TRUE(only_torn.Open().ok());
  ASSERT_TRUE(only_torn.Append("first").ok());
  EXPECT_THAT(*only_torn.ReadAll(), ElementsAre("first"));
}

TEST(LineLogTest, RewriteReplacesEverythingAndKeepsAppending) {
  TempDir dir;
  LineLog log(dir.File("log"));
  ASSERT_TRUE(log.Open().ok());
  for (const char* r : {"a", "b", "c"}) ASSERT_TRUE(log.Append(r).ok());
  ASSERT_TRUE(log.Rewrite({"b", "c"}).ok());
  ASSERT_TRUE(log.Append("d").ok());
  EXPECT_THAT(*log.ReadAll(), ElementsAre("b", "c", "d"));
  EXPECT_EQ(log.Rewrite({"x\ny"}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(*log.ReadAll(), ElementsAre("b", "c", "d"));
  // The log stays open after a rewrite, also when it was never opened before.
  LineLog fresh(dir.File("fresh"));
  ASSERT_TRUE(fresh.Rewrite({}).ok());
  EXPECT_TRUE(fresh.is_open());
  ASSERT_TRUE(fresh.Append("z").ok());
  EXPECT_THAT(*fresh.ReadAll(), ElementsAre("z"));
}

// On a full disk a write can take part of a record before ENOSPC; the part is cut off, so the
// records appended once there is room again are not glued to it.
TEST(LineLogTest, AFullDiskNeverLeavesPartOfARecord) {
  if (absl::Status s = testing::PrivateMountNamespace(); !s.ok()) GTEST_SKIP() << s;
  TempDir dir;
  absl::StatusOr<std::unique_ptr<SmallFilesystem>> disk =
      SmallFilesystem::Mount(dir.File("disk"), 64 * 1024);
  ASSERT_TRUE(disk.ok()) << disk.status();
  LineLog log(dir.File("disk/log"));
  ASSERT_TRUE(log.Open().ok());
  ASSERT_TRUE(log.Append("before").ok());
  absl::StatusOr<std::string> filler = (*disk)->Fill("filler");
  ASSERT_TRUE(filler.ok()) << filler.status();
  // Records longer than what may be left, so a write is likely to land in part.
  const std::string long_record(3000, 'r');
  int failed = 0;
  for (int i = 0; i < 8; ++i) {
    if (!log.Append(long_record).ok()) ++failed;
  }
  EXPECT_GT(failed, 0);
  ASSERT_EQ(unlink(filler->c_str()), 0);
  ASSERT_TRUE(log.Append("after").ok());
  std::vector<std::string> records = *log.ReadAll();
  ASSERT_GE(records.size(), 2u);
  EXPECT_EQ(records.front(), "before");
  EXPECT_EQ(records.back(), "after");
  for (size_t i = 1; i + 1 < records.size(); ++i) EXPECT_EQ(records[i], long_record);
}

}  // namespace
}  // namespace mlab::fileio
