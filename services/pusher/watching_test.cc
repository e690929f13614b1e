#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/spool/spool_dir.h"
#include "services/pusher/spool_watcher.h"
#include "services/pusher/sweeper.h"
#include "services/pusher/testing/test_util.h"

namespace mlab::pusher {
namespace {

using ::testing::UnorderedElementsAre;

// Collects what the watcher reports; tests wait on its contents, never on time.
class Recorder {
 public:
  SpoolWatcher::Callbacks Callbacks() {
    SpoolWatcher::Callbacks c;
    c.on_file = [this](size_t root, const std::string& path, SpoolWatcher::Event event) {
      absl::MutexLock lock(&mu_);
      std::string entry = std::to_string(root) + ":" + path;
      files_.insert(entry);
      if (event == SpoolWatcher::Event::kMovedTo) moved_.insert(path);
      reports_[entry].push_back(Report{event, absl::Now()});
    };
    c.on_overflow = [this] {
      absl::MutexLock lock(&mu_);
      ++overflows_;
    };
    return c;
  }
  // Waits (up to 10 s) until `entry` has been reported.
  bool WaitFor(const std::string& entry) {
    absl::MutexLock lock(&mu_);
    auto seen = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return files_.count(entry) > 0; };
    return mu_.AwaitWithTimeout(absl::Condition(&seen), absl::Seconds(10));
  }
  std::set<std::string> files() {
    absl::MutexLock lock(&mu_);
    return files_;
  }
  bool moved(const std::string& path) {
    absl::MutexLock lock(&mu_);
    return moved_.count(path) > 0;
  }
  int overflows() {
    absl::MutexLock lock(&mu_);
    return overflows_;
  }
  struct Report {
    SpoolWatcher::Event event;
    absl::Time when;
  };
  std::vector<Report> reports(const std::string& entry) {
    absl::MutexLock lock(&mu_);
    return reports_[entry];
  }

 private:
  absl::Mutex mu_;
  std::set<std::string> files_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> moved_ ABSL_GUARDED_BY(mu_);
  int overflows_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, std::vector<Report>> reports_ ABSL_GUARDED_BY(mu_);
};

TEST(SpoolWatcherTest, ReportsClosedAndRenamedFilesInNewDirectories) {
  testing::ScratchDir dir;
  ASSERT_TRUE(spool::MakeDirs(dir.path() + "/ndt7/2024/05/01").ok());
  ASSERT_TRUE(spool::MakeDirs(dir.path() + "/pcap").ok());
  dir.WriteFile("ndt7/2024/05/01/before.json", "x");  // Before Start: not an event.
  Recorder recorder;
  // Files that landed before their directory was watched are reported once settled.
  SpoolWatcher watcher({dir.path() + "/ndt7", dir.path() + "/pcap"}, recorder.Callbacks(),
                       absl::Milliseconds(100));
  ASSERT_TRUE(watcher.Start().ok());
  EXPECT_EQ(watcher.watch_count(), 5u);  // ndt7, 2024, 05, 01 and pcap

  dir.WriteFile("ndt7/2024/05/01/closed.json", "written in place");
  ASSERT_TRUE(recorder.WaitFor("0:2024/05/01/closed.json"));

  dir.WriteFile("staging.tmp", "staged");
  ASSERT_EQ(
      rename((dir.path() + "/staging.tmp").c_str(), (dir.path() + "/pcap/moved.pcap.gz").c_str()),
      0);
  ASSERT_TRUE(recorder.WaitFor("1:moved.pcap.gz"));
  EXPECT_TRUE(recorder.moved("moved.pcap.gz"));

  // A whole tree created at once (mkdir -p then a file, racing the watch setup): found either
  // by its event or by the scan of the new directory.
  dir.WriteFile("ndt7/2024/05/02/deep/new.json", "y");
  ASSERT_TRUE(recorder.WaitFor("0:2024/05/02/deep/new.json"));
  // A directory renamed into the tree with files already in it.
  dir.WriteFile("outside/2024/06/01/inside.json", "z");
  ASSERT_EQ(rename((dir.path() + "/outside/2024").c_str(), (dir.path() + "/pcap/2024").c_str()), 0);
  ASSERT_TRUE(recorder.WaitFor("1:2024/06/01/inside.json"));
  // ...and it is watched from then on.
  dir.WriteFile("pcap/2024/06/01/later.json", "w");
  ASSERT_TRUE(recorder.WaitFor("1:2024/06/01/later.json"));
  watcher.Stop();
  EXPECT_EQ(recorder.files().count("0:2024/05/01/before.json"), 0u);
}

// A writer that makes a directory and writes a file in place can be overtaken by the scan of
// that directory: the scan must not report a file that may still be open.
TEST(SpoolWatcherTest, NewDirectoryScanHoldsAFileUntilItIsClosed) {
  testing::ScratchDir dir;
  ASSERT_TRUE(spool::MakeDirs(dir.path() + "/ndt7").ok());
  testing::SetMtime(dir.WriteFile("outside/2024/07/01/old.json", "complete"),
                    absl::Now() - absl::Hours(3));
  std::string open_path = dir.path() + "/outside/2024/07/01/open.json";
  int fd = open(open_path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "part 1,", 7), 7);
  Recorder recorder;
  // Settling takes an hour here, so only its close event can report the open file.
  SpoolWatcher watcher({dir.path() + "/ndt7"}, recorder.Callbacks(), absl::Hours(1));
  ASSERT_TRUE(watcher.Start().ok());
  ASSERT_EQ(rename((dir.path() + "/outside/2024").c_str(), (dir.path() + "/ndt7/2024").c_str()), 0);
  ASSERT_TRUE(recorder.WaitFor("0:2024/07/01/old.json"));  // Long unmodified: taken at once.
  // Its close event comes after the scan (the directory is watched before it is listed).
  dir.WriteFile("ndt7/2024/07/01/marker.json", "m");
  ASSERT_TRUE(recorder.WaitFor("0:2024/07/01/marker.json"));
  EXPECT_TRUE(recorder.reports("0:2024/07/01/open.json").empty());
  EXPECT_EQ(watcher.held_count(), 1u);

  ASSERT_EQ(write(fd, " part 2", 7), 7);
  ASSERT_EQ(close(fd), 0);
  ASSERT_TRUE(recorder.WaitFor("0:2024/07/01/open.json"));
  std::vector<Recorder::Report> reports = recorder.reports("0:2024/07/01/open.json");
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].event, SpoolWatcher::Event::kCloseWrite);
  EXPECT_EQ(watcher.held_count(), 0u);
  EXPECT_EQ(recorder.reports("0:2024/07/01/old.json")[0].event, SpoolWatcher::Event::kNewDirectory);
  watcher.Stop();
}

// A file closed before its directory was watched has no event to come: it is reported once it
// has been left alone for the settle time.
TEST(SpoolWatcherTest, NewDirectoryScanReportsAClosedFreshFileOnceSettled) {
  testing::ScratchDir dir;
  ASSERT_TRUE(spool::MakeDirs(dir.path() + "/ndt7").ok());
  std::string fresh = dir.WriteFile("outside/2024/07/02/fresh.json", "closed already");
  struct stat st;
  ASSERT_EQ(stat(fresh.c_str(), &st), 0);
  absl::Time mtime = absl::TimeFromTimespec(st.st_mtim);
  const absl::Duration settle = absl::Milliseconds(300);
  Recorder recorder;
  SpoolWatcher watcher({dir.path() + "/ndt7"}, recorder.Callbacks(), settle);
  ASSERT_TRUE(watcher.Start().ok());
  ASSERT_EQ(rename((dir.path() + "/outside/2024").c_str(), (dir.path() + "/ndt7/2024").c_str()), 0);
  ASSERT_TRUE(recorder.WaitFor("0:2024/07/02/fresh.json"));
  std::vector<Recorder::Report> reports = recorder.reports("0:2024/07/02/fresh.json");
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].event, SpoolWatcher::Event::kNewDirectory);
  EXPECT_GE(reports[0].when, mtime + settle);
  EXPECT_EQ(watcher.held_count(), 0u);
  watcher.Stop();
}

TEST(SpoolWatcherTest, QueueOverflowAsksForASweep) {
  testing::ScratchDir dir;
  ASSERT_TRUE(spool::MakeDirs(dir.path() + "/ndt7").ok());
  Recorder recorder;
  SpoolWatcher watcher({dir.path() + "/ndt7"}, recorder.Callbacks());
  ASSERT_TRUE(watcher.Start().ok());
  // The kernel reports an overflow as wd -1 with IN_Q_OVERFLOW; feed one in.
  struct inotify_event event {};
  event.wd = -1;
  event.mask = IN_Q_OVERFLOW;
  // A directory made "during" the overflow is picked up by the re-walk.
  ASSERT_TRUE(spool::MakeDirs(dir.path() + "/ndt7/2024/05/03").ok());
  watcher.ProcessEventsForTest(reinterpret_cast<const char*>(&event), sizeof(event));
  EXPECT_EQ(recorder.overflows(), 1);
  EXPECT_GE(watcher.watch_count(), 4u);
  dir.WriteFile("ndt7/2024/05/03/after.json", "x");
  ASSERT_TRUE(recorder.WaitFor("0:2024/05/03/after.json"));
  watcher.Stop();
}

TEST(SweeperTest, FindsOldFilesOldestFirstAndRemovesStaleEmptyDirectories) {
  testing::ScratchDir dir;
  absl::Time now = absl::Now();
  testing::SetMtime(dir.WriteFile("ndt7/2024/05/01/old.json", "12345"), now - absl::Hours(3));
  testing::SetMtime(dir.WriteFile("ndt7/2024/05/01/older.json", "1"), now - absl::Hours(5));
  dir.WriteFile("ndt7/2024/05/01/new.json", "fresh");
  ASSERT_TRUE(spool::MakeDirs(dir.path() + "/ndt7/2024/04/30").ok());
  testing::SetMtime(dir.path() + "/ndt7/2024/04/30", now - absl::Hours(30));
  ASSERT_TRUE(spool::MakeDirs(dir.path() + "/ndt7/2024/05/02").ok());  // Empty but recent.
  ASSERT_TRUE(spool::MakeDirs(dir.path() + "/pcap").ok());
  testing::SetMtime(dir.path() + "/pcap", now - absl::Hours(30));  // A root: never removed.
  ASSERT_EQ(symlink("/etc/passwd", (dir.path() + "/ndt7/link").c_str()), 0);

  std::vector<std::string> found;
  Sweeper::Options options;
  options.max_file_age = absl::Hours(2);
  Sweeper sweeper({dir.path() + "/ndt7", dir.path() + "/pcap"}, options,
                  [&found](const Sweeper::Found& f) { found.push_back(f.relative_path); });
  Sweeper::Stats stats = sweeper.SweepOnce(now);
  EXPECT_THAT(found, ::testing::ElementsAre("2024/05/01/older.json", "2024/05/01/old.json"));
  EXPECT_EQ(stats.files, 2u);
  EXPECT_EQ(stats.bytes, 6u);
  EXPECT_EQ(stats.dirs_removed, 1u);
  EXPECT_NE(access((dir.path() + "/ndt7/2024/04/30").c_str(), F_OK), 0);
  EXPECT_EQ(access((dir.path() + "/ndt7/2024/05/02").c_str(), F_OK), 0);
  EXPECT_EQ(access((dir.path() + "/pcap").c_str(), F_OK), 0);
}

}  // namespace
}  // namespace mlab::pusher
