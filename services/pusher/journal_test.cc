#include "services/pusher/journal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/small_filesystem.h"
#include "services/pusher/testing/test_util.h"

namespace mlab::pusher {
namespace {

using ::testing::ElementsAre;

ArchiveManifest Sample(const std::string& id) {
  ArchiveManifest m;
  m.id = id;
  m.object_name = "ndt/ndt7/2024/05/01/20240501T000000.000001Z-ndt7-mlab1-lga03-ndt.tgz";
  m.subdir = "2024/05/01";
  m.md5 = std::string("0123456789abcdef", 16);
  m.crc32c = 0xE3069283;
  m.size = 12345;
  m.members = {{"2024/05/01/a.json", {11, 100, 1714521600123456789}},
               {"2024/05/01/b:c.json", {12, 0, 5}}};
  m.skipped = {{"2024/05/01/skipped.json", {13, 7, 9}}};
  return m;
}

TEST(ManifestTest, RoundTrips) {
  ArchiveManifest m = Sample("0001");
  absl::StatusOr<ArchiveManifest> parsed = ArchiveManifest::Parse(m.Serialize());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->Serialize(), m.Serialize());
  EXPECT_EQ(parsed->members[1].path, "2024/05/01/b:c.json");
  EXPECT_TRUE(parsed->members[0].identity == m.members[0].identity);
  EXPECT_EQ(parsed->skipped.size(), 1u);
}

TEST(ManifestTest, RejectsTruncatedOrForeignText) {
  std::string text = Sample("0001").Serialize();
  EXPECT_FALSE(ArchiveManifest::Parse(text.substr(0, text.size() - 4)).ok());
  EXPECT_FALSE(ArchiveManifest::Parse("hello\n").ok());
  EXPECT_FALSE(ArchiveManifest::Parse("pusher-archive 1\nid x\nmd5 zz\nend\n").ok());
}

TEST(JournalTest, IntakeAppendsReadsAndRewrites) {
  testing::ScratchDir tmp;
  Journal journal(tmp.path() + "/ndt7");
  ASSERT_TRUE(journal.Open().ok());
  ASSERT_TRUE(journal.RecordIntake("2024/05/01/a").ok());
  ASSERT_TRUE(journal.RecordIntake("2024/05/01/b").ok());
  EXPECT_EQ(journal.intake_records(), 2u);
  EXPECT_THAT(*journal.ReadIntake(), ElementsAre("2024/05/01/a", "2024/05/01/b"));
  ASSERT_TRUE(journal.RewriteIntake({"2024/05/01/b"}).ok());
  EXPECT_EQ(journal.intake_records(), 0u);
  ASSERT_TRUE(journal.RecordIntake("2024/05/01/c").ok());
  EXPECT_THAT(*journal.ReadIntake(), ElementsAre("2024/05/01/b", "2024/05/01/c"));
  // A second Journal on the same directory (a restarted process) sees the same records.
  Journal again(tmp.path() + "/ndt7");
  ASSERT_TRUE(again.Open().ok());
  EXPECT_THAT(*again.ReadIntake(), ElementsAre("2024/05/01/b", "2024/05/01/c"));
}

TEST(JournalTest, DropsARecordCutShort) {
  testing::ScratchDir tmp;
  Journal journal(tmp.path() + "/d");
  ASSERT_TRUE(journal.Open().ok());
  ASSERT_TRUE(journal.RecordIntake("2024/05/01/a").ok());
  std::ofstream(tmp.path() + "/d/intake.log", std::ios::app) << "2024/05/01/par";
  EXPECT_THAT(*journal.ReadIntake(), ElementsAre("2024/05/01/a"));
  // The process that restarts after the crash appends a whole record, not the rest of that one.
  Journal restarted(tmp.path() + "/d");
  ASSERT_TRUE(restarted.Open().ok());
  ASSERT_TRUE(restarted.RecordIntake("2024/05/01/b").ok());
  EXPECT_THAT(*restarted.ReadIntake(), ElementsAre("2024/05/01/a", "2024/05/01/b"));
}

off_t FileSize(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? st.st_size : -1;
}

// The spool's disk full: appends and manifests fail with a clear error and leave nothing
// behind, and the journal works again once there is space.
TEST(JournalTest, FullDiskFailsCleanlyAndRecovers) {
  if (absl::Status ns = ::mlab::testing::PrivateMountNamespace(); !ns.ok()) GTEST_SKIP() << ns;
  testing::ScratchDir tmp;
  const std::string disk = tmp.path() + "/disk";
  auto disk_fs = ::mlab::testing::SmallFilesystem::Mount(disk, 64 << 10);
  ASSERT_TRUE(disk_fs.ok()) << disk_fs.status();
  Journal journal(disk + "/ndt7");
  ASSERT_TRUE(journal.Open().ok());
  // 97 lines of 42 bytes end 22 bytes short of a page: the next line needs a page the full disk
  // no longer has, and tmpfs takes its first 22 bytes before failing.
  const std::string name(30, 'a');
  for (int i = 0; i < 97; ++i) ASSERT_TRUE(journal.RecordIntake("2024/05/01/" + name).ok());
  const std::string log = disk + "/ndt7/intake.log";
  ASSERT_EQ(FileSize(log), 97 * 42);
  absl::StatusOr<std::string> filler = (*disk_fs)->Fill("filler");
  ASSERT_TRUE(filler.ok()) << filler.status();

  absl::Status appended = journal.RecordIntake("2024/05/01/" + std::string(30, 'b'));
  EXPECT_TRUE(absl::IsResourceExhausted(appended)) << appended;
  EXPECT_EQ(FileSize(log), 97 * 42);
  EXPECT_EQ(journal.ReadIntake()->size(), 97u);
  absl::Status manifest = journal.WriteManifest(Sample("0001"));
  EXPECT_TRUE(absl::IsResourceExhausted(manifest)) << manifest;
  EXPECT_TRUE(journal.LoadManifests()->empty());
  EXPECT_THAT(::mlab::testing::ListFiles(disk + "/ndt7/archives"), ::testing::IsEmpty());

  ASSERT_EQ(unlink(filler->c_str()), 0);
  ASSERT_TRUE(journal.RecordIntake("2024/05/01/after").ok());
  std::vector<std::string> intake = *journal.ReadIntake();
  ASSERT_EQ(intake.size(), 98u);
  EXPECT_EQ(intake[96], "2024/05/01/" + name);
  EXPECT_EQ(intake[97], "2024/05/01/after");
  ASSERT_TRUE(journal.WriteManifest(Sample("0001")).ok());
  EXPECT_EQ(journal.LoadManifests()->size(), 1u);
}

TEST(JournalTest, ManifestsPersistInIdOrderAndCorruptOnesAreReported) {
  testing::ScratchDir tmp;
  Journal journal(tmp.path() + "/d");
  ASSERT_TRUE(journal.Open().ok());
  ASSERT_TRUE(journal.WriteManifest(Sample("0002")).ok());
  ASSERT_TRUE(journal.WriteManifest(Sample("0001")).ok());
  std::ofstream(tmp.path() + "/d/archives/0003.manifest") << "pusher-archive 1\nid 0003\n";
  std::ofstream(tmp.path() + "/d/archives/0004.manifest.tmp") << "half";
  std::vector<std::string> corrupt;
  absl::StatusOr<std::vector<ArchiveManifest>> loaded = journal.LoadManifests(&corrupt);
  ASSERT_TRUE(loaded.ok());
  ASSERT_EQ(loaded->size(), 2u);
  EXPECT_EQ((*loaded)[0].id, "0001");
  EXPECT_EQ((*loaded)[1].id, "0002");
  EXPECT_EQ(corrupt.size(), 1u);
  EXPECT_NE(access((tmp.path() + "/d/archives/0004.manifest.tmp").c_str(), F_OK), 0);
  ASSERT_TRUE(journal.RemoveManifest("0001").ok());
  ASSERT_TRUE(journal.RemoveManifest("0001").ok());  // Idempotent.
  EXPECT_EQ(journal.LoadManifests()->size(), 1u);
}

TEST(JournalTest, OnlyOneProcessHoldsTheLock) {
  testing::ScratchDir tmp;
  absl::StatusOr<int> first = LockJournalDir(tmp.path() + "/j");
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<int> second = LockJournalDir(tmp.path() + "/j");
  EXPECT_FALSE(second.ok());
  close(*first);
  absl::StatusOr<int> third = LockJournalDir(tmp.path() + "/j");
  EXPECT_TRUE(third.ok());
  close(*third);
}

}  // namespace
}  // namespace mlab::pusher
