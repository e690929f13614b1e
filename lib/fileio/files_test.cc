#include "lib/fileio/files.h"

#include <unistd.h>

#include "gtest/gtest.h"
#include "lib/testing/temp_dir.h"

namespace mlab::fileio {
namespace {

using ::mlab::testing::TempDir;

TEST(FilesTest, ReadWholeFileReadsEveryByteAndNamesAMissingFile) {
  TempDir dir;
  std::string big(200 * 1024, 'x');  // Several reads.
  big[100] = '\0';
  ASSERT_TRUE(WriteFileAtomically(dir.File("big"), big).ok());
  absl::StatusOr<std::string> read = ReadWholeFile(dir.File("big"));
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, big);
  absl::StatusOr<std::string> missing = ReadWholeFile(dir.File("missing"));
  EXPECT_TRUE(absl::IsNotFound(missing.status()));
  EXPECT_NE(missing.status().message().find(dir.File("missing")), std::string::npos);
}

TEST(FilesTest, WriteFileAtomicallyReplacesOrLeavesTheOldContents) {
  TempDir dir;
  const std::string path = dir.File("state");
  ASSERT_TRUE(WriteFileAtomically(path, "old").ok());
  ASSERT_TRUE(WriteFileAtomically(path, "new").ok());
  EXPECT_EQ(*ReadWholeFile(path), "new");
  EXPECT_NE(access((path + ".tmp").c_str(), F_OK), 0);
  // A temporary that cannot be made (a directory in its way): the file is untouched.
  ASSERT_EQ(mkdir((path + ".tmp").c_str(), 0755), 0);
  EXPECT_FALSE(WriteFileAtomically(path, "newer").ok());
  EXPECT_EQ(*ReadWholeFile(path), "new");
}

TEST(FilesTest, SyncDirectoryNeedsADirectory) {
  TempDir dir;
  EXPECT_TRUE(SyncDirectory(dir.path()).ok());
  EXPECT_EQ(SyncDirectory(dir.File("missing")).code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(SyncDirectory(dir.WriteFile("plain", "x")).ok());
}

}  // namespace
}  // namespace mlab::fileio
