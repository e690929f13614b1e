#include "lib/spool/spool_dir.h"

#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "lib/testing/small_filesystem.h"
#include "lib/testing/temp_dir.h"

namespace mlab::spool {
namespace {

namespace fs = std::filesystem;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

class SpoolDirTest : public ::testing::Test {
 protected:
  mlab::testing::ShortTempDir tmp_;  // under /tmp: CommitsAcrossFilesystems compares with /dev/shm
  std::string root_ = tmp_.path();
  std::string datadir_ = root_ + "/ndt/tcpinfo";
  // 2019-05-16T01:30:26Z
  absl::Time date_ = absl::FromUnixSeconds(1557970226);
};

TEST_F(SpoolDirTest, WriteFileLandsUnderUtcDate) {
  SpoolDir spool(datadir_);
  ASSERT_TRUE(spool.Init().ok());
  EXPECT_EQ(spool.staging_dir(), root_ + "/ndt/.tmp-tcpinfo");
  ASSERT_TRUE(spool.WriteFile(date_, "ndt-x_1_0000000000000001.00000.jsonl.zst", "hello").ok());
  std::string path = datadir_ + "/2019/05/16/ndt-x_1_0000000000000001.00000.jsonl.zst";
  EXPECT_EQ(ReadAll(path), "hello");
  EXPECT_EQ(fs::status(path).permissions() & fs::perms::owner_write, fs::perms::owner_write);
  absl::StatusOr<std::vector<StagedFile>> leftovers = spool.Leftovers();
  ASSERT_TRUE(leftovers.ok());
  EXPECT_TRUE(leftovers->empty());
}

TEST_F(SpoolDirTest, DatePathIsUtc) {
  // 23:30 on Dec 31 in UTC-5 is already Jan 1 in UTC.
  absl::Time t =
      absl::FromCivil(absl::CivilSecond(2019, 12, 31, 23, 30, 0), absl::FixedTimeZone(-5 * 3600));
  EXPECT_EQ(DatePath(t), "2020/01/01");
}

TEST_F(SpoolDirTest, NothingVisibleBeforeCommit) {
  SpoolDir spool(datadir_);
  ASSERT_TRUE(spool.Init().ok());
  absl::StatusOr<std::unique_ptr<SpoolFile>> file = spool.Create(date_, "a.json");
  ASSERT_TRUE(file.ok()) << file.status();
  ASSERT_TRUE((*file)->Write("part one,").ok());
  EXPECT_FALSE(fs::exists((*file)->final_path()));
  EXPECT_TRUE(fs::exists((*file)->staged_path()));
  EXPECT_EQ((*file)->staged_path().rfind(datadir_ + "/", 0), std::string::npos)
      << "staged files must live outside the watched datatype tree";
  ASSERT_TRUE((*file)->Write("part two").ok());
  EXPECT_EQ((*file)->bytes_written(), 17u);
  ASSERT_TRUE((*file)->Commit().ok());
  EXPECT_EQ(ReadAll(datadir_ + "/2019/05/16/a.json"), "part one,part two");
  EXPECT_FALSE((*file)->Write("more").ok());
}

TEST_F(SpoolDirTest, DroppedWithoutCommitLeavesNothing) {
  SpoolDir spool(datadir_);
  ASSERT_TRUE(spool.Init().ok());
  std::string staged;
  {
    absl::StatusOr<std::unique_ptr<SpoolFile>> file = spool.Create(date_, "b.json");
    ASSERT_TRUE(file.ok());
    staged = (*file)->staged_path();
    ASSERT_TRUE((*file)->Write("x").ok());
  }
  EXPECT_FALSE(fs::exists(staged));
  EXPECT_FALSE(fs::exists(datadir_ + "/2019/05/16/b.json"));
}

// A full disk fails the write with the kernel's reason, and neither the spool nor its staging
// directory keeps any part of the file; the next write after space returns lands whole.
TEST_F(SpoolDirTest, FullDiskLeavesNothingAndRecovers) {
  if (absl::Status ns = mlab::testing::PrivateMountNamespace(); !ns.ok()) GTEST_SKIP() << ns;
  const std::string disk = root_ + "/disk";
  auto disk_fs = mlab::testing::SmallFilesystem::Mount(disk, 256 << 10);
  ASSERT_TRUE(disk_fs.ok()) << disk_fs.status();
  SpoolDir spool(disk + "/ndt/tcpinfo");
  ASSERT_TRUE(spool.Init().ok());
  ASSERT_TRUE(spool.WriteFile(date_, "before.json", "written before the disk filled").ok());
  absl::StatusOr<std::string> filler = (*disk_fs)->Fill("filler");
  ASSERT_TRUE(filler.ok()) << filler.status();

  const std::string big(64 << 10, 'x');
  absl::Status whole = spool.WriteFile(date_, "whole.json", big).status();
  EXPECT_TRUE(absl::IsResourceExhausted(whole)) << whole;
  EXPECT_NE(whole.message().find("No space left"), absl::string_view::npos) << whole;
  {
    absl::StatusOr<std::unique_ptr<SpoolFile>> dropped = spool.Create(date_, "dropped.json");
    ASSERT_TRUE(dropped.ok()) << dropped.status();
    EXPECT_TRUE(absl::IsResourceExhausted((*dropped)->Write(big)));
  }  // Dropped by its writer after the error.
  // A writer that goes on after the error (a stream of snapshots) cannot commit the file with a
  // hole in it, even once the disk has room again.
  absl::StatusOr<std::unique_ptr<SpoolFile>> streamed = spool.Create(date_, "streamed.json");
  ASSERT_TRUE(streamed.ok()) << streamed.status();
  absl::Status first = (*streamed)->Write(big);
  EXPECT_TRUE(absl::IsResourceExhausted(first)) << first;
  ASSERT_EQ(unlink(filler->c_str()), 0);
  EXPECT_EQ((*streamed)->Write("more"), first);
  EXPECT_EQ((*streamed)->Commit(), first);
  streamed->reset();
  EXPECT_EQ(RegularFilesBelow(spool.datadir()), std::vector<std::string>{"2019/05/16/before.json"});
  EXPECT_TRUE(RegularFilesBelow(spool.staging_dir()).empty());
  EXPECT_TRUE(spool.Leftovers()->empty());

  ASSERT_TRUE(spool.WriteFile(date_, "whole.json", big).ok());
  EXPECT_EQ(ReadAll(spool.datadir() + "/2019/05/16/whole.json"), big);
  EXPECT_TRUE(RegularFilesBelow(spool.staging_dir()).empty());
}

TEST_F(SpoolDirTest, NeverOverwritesAnArchive) {
  SpoolDir spool(datadir_);
  ASSERT_TRUE(spool.Init().ok());
  ASSERT_TRUE(spool.WriteFile(date_, "c.json", "first").ok());
  absl::Status second = spool.WriteFile(date_, "c.json", "second").status();
  EXPECT_EQ(second.code(), absl::StatusCode::kAlreadyExists) << second;
  EXPECT_EQ(ReadAll(datadir_ + "/2019/05/16/c.json"), "first");
  EXPECT_TRUE(spool.Leftovers()->empty());
}

TEST_F(SpoolDirTest, RefusesUnsafeNames) {
  SpoolDir spool(datadir_);
  ASSERT_TRUE(spool.Init().ok());
  for (const char* name : {"", ".hidden", "../escape", "a/b", "a b", "..", "x\n", "ü"}) {
    EXPECT_EQ(spool.WriteFile(date_, name, "x").status().code(), absl::StatusCode::kInvalidArgument)
        << name;
  }
  EXPECT_TRUE(spool.WriteFile(date_, "20210818T174432Z_1e0b318cf3c2_91.189.88.152.json", "x").ok());
  EXPECT_TRUE(spool
                  .WriteFile(date_,
                             "ndt7-download-20200318T000657.568382877Z.ndt-knwp4_"
                             "1583603744_000000000000590E.json.gz",
                             "x")
                  .ok());
  EXPECT_FALSE(fs::exists(root_ + "/escape"));
}

// An uploader watching the tree with inotify must only ever see complete files: no create or
// close-write events, only moves of whole files.
TEST_F(SpoolDirTest, WatchersSeeOnlyCompleteFiles) {
  SpoolDir spool(datadir_);
  ASSERT_TRUE(spool.Init().ok());
  std::string day = datadir_ + "/2019/05/16";
  ASSERT_TRUE(MakeDirs(day).ok());
  int watcher = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  ASSERT_GE(watcher, 0);
  ASSERT_GE(inotify_add_watch(watcher, day.c_str(), IN_CREATE | IN_CLOSE_WRITE | IN_MOVED_TO), 0);
  const std::string chunk(4096, 'z');
  constexpr int kFiles = 50;
  constexpr int kChunks = 16;
  for (int i = 0; i < kFiles; ++i) {
    absl::StatusOr<std::unique_ptr<SpoolFile>> file =
        spool.Create(date_, absl::StrCat("f", i, ".pcap.gz"));
    ASSERT_TRUE(file.ok());
    for (int c = 0; c < kChunks; ++c) ASSERT_TRUE((*file)->Write(chunk).ok());
    ASSERT_TRUE((*file)->Commit().ok());
  }
  alignas(inotify_event) char buffer[64 * 1024];
  int moved = 0;
  ssize_t n;
  while ((n = read(watcher, buffer, sizeof(buffer))) > 0) {
    for (char* p = buffer; p < buffer + n;) {
      auto* event = reinterpret_cast<inotify_event*>(p);
      EXPECT_EQ(event->mask & (IN_CREATE | IN_CLOSE_WRITE), 0u) << event->name;
      if (event->mask & IN_MOVED_TO) {
        ++moved;
        EXPECT_EQ(fs::file_size(day + "/" + event->name), chunk.size() * kChunks);
      }
      p += sizeof(inotify_event) + event->len;
    }
  }
  close(watcher);
  EXPECT_EQ(moved, kFiles);
}

TEST_F(SpoolDirTest, LeftoversOfADeadWriterCanBeRecovered) {
  SpoolDir spool(datadir_);
  ASSERT_TRUE(spool.Init().ok());
  // What a writer killed mid-file leaves behind: a staged file from another process instance.
  std::string staged_dir = spool.staging_dir() + "/2019/05/16";
  ASSERT_TRUE(MakeDirs(staged_dir).ok());
  std::string dead = staged_dir + "/u_0000000000000001.00000.jsonl.zst.00000000deadbeef-7.staged";
  std::ofstream(dead) << "partial";
  // And this process's own file in progress, which is not a leftover.
  absl::StatusOr<std::unique_ptr<SpoolFile>> mine = spool.Create(date_, "mine.json");
  ASSERT_TRUE(mine.ok());

  absl::StatusOr<std::vector<StagedFile>> leftovers = spool.Leftovers();
  ASSERT_TRUE(leftovers.ok());
  ASSERT_EQ(leftovers->size(), 1u);
  EXPECT_EQ((*leftovers)[0].relative_path, "2019/05/16/u_0000000000000001.00000.jsonl.zst");
  ASSERT_TRUE(spool.CommitLeftover((*leftovers)[0]).ok());
  EXPECT_EQ(ReadAll(datadir_ + "/2019/05/16/u_0000000000000001.00000.jsonl.zst"), "partial");
  EXPECT_TRUE(spool.Leftovers()->empty());
}

TEST_F(SpoolDirTest, SyncedSpoolCommitsAndSyncsDirectories) {
  SpoolDir::Options options;
  options.sync = true;
  SpoolDir spool(datadir_, options);
  ASSERT_TRUE(spool.Init().ok());
  ASSERT_TRUE(spool.WriteFile(date_, "synced.json", "{}").ok());
  EXPECT_EQ(ReadAll(datadir_ + "/2019/05/16/synced.json"), "{}");
}

TEST_F(SpoolDirTest, RegularFilesBelowListsRelativePathsSorted) {
  SpoolDir spool(datadir_);
  ASSERT_TRUE(spool.Init().ok());
  ASSERT_TRUE(spool.WriteFile(date_, "b.json", "b").ok());
  ASSERT_TRUE(spool.WriteFile(date_ + absl::Hours(24), "a.json", "a").ok());
  EXPECT_EQ(RegularFilesBelow(datadir_),
            (std::vector<std::string>{"2019/05/16/b.json", "2019/05/17/a.json"}));
  EXPECT_TRUE(RegularFilesBelow(root_ + "/missing").empty());
}

TEST_F(SpoolDirTest, CommitsAcrossFilesystems) {
  // A staging directory on another filesystem forces the copy fallback (k8s mounts a datatype
  // directory on its own).
  char shm_template[] = "/dev/shm/stagingXXXXXX";
  if (mkdtemp(shm_template) == nullptr) GTEST_SKIP() << "no /dev/shm here";
  struct stat a, b;
  ASSERT_EQ(stat(shm_template, &a), 0);
  ASSERT_EQ(stat(root_.c_str(), &b), 0);
  if (a.st_dev == b.st_dev) {
    fs::remove_all(shm_template);
    GTEST_SKIP() << "/dev/shm is on the same filesystem as /tmp here";
  }
  SpoolDir::Options options;
  options.staging_dir = shm_template;
  SpoolDir spool(datadir_, options);
  ASSERT_TRUE(spool.Init().ok());
  ASSERT_TRUE(spool.WriteFile(date_, "d.json", std::string(3 << 20, 'q')).ok());
  EXPECT_EQ(fs::file_size(datadir_ + "/2019/05/16/d.json"), 3u << 20);
  EXPECT_EQ(spool.WriteFile(date_, "d.json", "again").status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(fs::file_size(datadir_ + "/2019/05/16/d.json"), 3u << 20);
  for (const auto& entry : fs::recursive_directory_iterator(datadir_)) {
    EXPECT_NE(entry.path().filename().string()[0], '.') << entry.path();
  }
  fs::remove_all(shm_template);
}

}  // namespace
}  // namespace mlab::spool
