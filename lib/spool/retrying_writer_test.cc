#include "lib/spool/retrying_writer.h"

#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/small_filesystem.h"
#include "lib/testing/temp_dir.h"

namespace mlab::spool {
namespace {

using ::mlab::testing::ListFiles;
using ::mlab::testing::SmallFilesystem;
using ::mlab::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

const absl::Time kDate = absl::FromUnixSeconds(1558000000);  // 2019-05-16

// Collects the outcomes the writer reports for held files.
class Outcomes {
 public:
  RetryingWriter::Done Callback(const std::string& name) {
    return [this, name](const absl::Status& status, const std::string& path) {
      absl::MutexLock lock(&mu_);
      results_.push_back(name + (status.ok() ? " written " + path.substr(path.rfind('/') + 1)
                                             : " lost: " + std::string(status.message())));
    };
  }
  bool WaitFor(size_t n) {
    absl::MutexLock lock(&mu_);
    auto enough = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return results_.size() >= n; };
    return mu_.AwaitWithTimeout(absl::Condition(&enough), absl::Seconds(30));
  }
  std::vector<std::string> results() {
    absl::MutexLock lock(&mu_);
    return results_;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::string> results_ ABSL_GUARDED_BY(mu_);
};

class RetryingWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (absl::Status s = ::mlab::testing::PrivateMountNamespace(); !s.ok()) GTEST_SKIP() << s;
    auto disk = SmallFilesystem::Mount(dir_.File("disk"), 256 * 1024);
    ASSERT_TRUE(disk.ok()) << disk.status();
    disk_ = *std::move(disk);
    spool_ = std::make_unique<SpoolDir>(dir_.File("disk/ndt7"));
    ASSERT_TRUE(spool_->Init().ok());
    options_.first_retry = absl::Milliseconds(10);
    options_.max_retry = absl::Milliseconds(50);
  }
  void Fill() {
    absl::StatusOr<std::string> filler = disk_->Fill("filler");
    ASSERT_TRUE(filler.ok()) << filler.status();
    filler_ = *filler;
  }
  void MakeRoom() { ASSERT_EQ(unlink(filler_.c_str()), 0); }

  TempDir dir_;
  std::unique_ptr<SmallFilesystem> disk_;
  std::unique_ptr<SpoolDir> spool_;
  RetryingWriter::Options options_;
  std::string filler_;
};

TEST_F(RetryingWriterTest, WritesAtOnceWhenThereIsRoom) {
  RetryingWriter writer(spool_.get(), options_);
  bool held = true;
  absl::StatusOr<std::string> path = writer.Write(kDate, "a.json", "{}", nullptr, &held);
  ASSERT_TRUE(path.ok()) << path.status();
  EXPECT_FALSE(held);
  EXPECT_EQ(*path, spool_->datadir() + "/2019/05/16/a.json");
  // A bad name is refused as it is, not held.
  EXPECT_EQ(writer.Write(kDate, "../x", "{}", nullptr, &held).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(held);
  EXPECT_EQ(writer.stats().held, 0);
}

TEST_F(RetryingWriterTest, FilesAFullDiskRefusedAreWrittenOnceThereIsRoom) {
  RetryingWriter writer(spool_.get(), options_);
  Outcomes outcomes;
  Fill();
  const std::string big(20000, 'x');  // Several pages: a partial write is likely.
  for (const char* name : {"1.json", "2.json", "3.json"}) {
    bool held = false;
    absl::StatusOr<std::string> path =
        writer.Write(kDate, name, big, outcomes.Callback(name), &held);
    EXPECT_TRUE(absl::IsResourceExhausted(path.status())) << path.status();
    EXPECT_TRUE(held);
  }
  EXPECT_THAT(ListFiles(spool_->datadir()), IsEmpty());
  EXPECT_THAT(ListFiles(spool_->staging_dir()), IsEmpty());
  EXPECT_EQ(writer.stats().held_now, 3u);
  EXPECT_EQ(writer.stats().held_bytes, 3 * big.size());
  MakeRoom();
  // Once nothing is held, every outcome has been reported (no waiting on the callbacks).
  ASSERT_TRUE(writer.WaitUntilNoneHeld(absl::Seconds(30)));
  EXPECT_THAT(outcomes.results(), ElementsAre("1.json written 1.json", "2.json written 2.json",
                                              "3.json written 3.json"));
  EXPECT_THAT(ListFiles(spool_->datadir()),
              ElementsAre("2019/05/16/1.json", "2019/05/16/2.json", "2019/05/16/3.json"));
  RetryingWriter::Stats stats = writer.stats();
  EXPECT_EQ(stats.held, 3);
  EXPECT_EQ(stats.recovered, 3);
  EXPECT_EQ(stats.lost, 0);
  EXPECT_EQ(stats.held_bytes, 0u);
}

TEST_F(RetryingWriterTest, HoldsNoMoreThanItsBoundAndWritesWhatItHoldsWhenStopping) {
  options_.max_held_bytes = 1000;
  options_.first_retry = options_.max_retry = absl::Hours(1);  // Only Stop() retries.
  auto writer = std::make_unique<RetryingWriter>(spool_.get(), options_);
  Outcomes outcomes;
  Fill();
  bool held = false;
  writer->Write(kDate, "kept.json", std::string(600, 'k'), outcomes.Callback("kept"), &held);
  EXPECT_TRUE(held);
  writer->Write(kDate, "over.json", std::string(600, 'o'), outcomes.Callback("over"), &held);
  EXPECT_FALSE(held);  // Beyond the bound: lost at once, and no callback.
  writer->Write(kDate, "still.json", std::string(300, 's'), outcomes.Callback("still"), &held);
  EXPECT_TRUE(held);
  EXPECT_EQ(writer->stats().lost, 1);
  // Stopping writes what is held, in order, now that there is room.
  MakeRoom();
  writer->Stop();
  ASSERT_TRUE(outcomes.WaitFor(2));
  EXPECT_THAT(outcomes.results(),
              ElementsAre("kept written kept.json", "still written still.json"));
  EXPECT_EQ(writer->stats().recovered, 2);
  writer.reset();
}

TEST_F(RetryingWriterTest, StopReportsWhatTheDiskStillRefuses) {
  options_.first_retry = options_.max_retry = absl::Hours(1);
  RetryingWriter writer(spool_.get(), options_);
  Outcomes outcomes;
  Fill();
  bool held = false;
  writer.Write(kDate, "a.json", std::string(5000, 'a'), outcomes.Callback("a"), &held);
  ASSERT_TRUE(held);
  writer.Stop();
  ASSERT_TRUE(outcomes.WaitFor(1));
  ASSERT_EQ(outcomes.results().size(), 1u);
  EXPECT_THAT(outcomes.results()[0], ::testing::StartsWith("a lost: "));
  EXPECT_EQ(writer.stats().lost, 1);
  EXPECT_EQ(writer.stats().held_now, 0u);
  // After Stop nothing is held.
  writer.Write(kDate, "b.json", "b", outcomes.Callback("b"), &held);
  EXPECT_FALSE(held);
  EXPECT_THAT(ListFiles(spool_->datadir()), IsEmpty());
}

}  // namespace
}  // namespace mlab::spool
