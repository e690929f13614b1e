// A trace file a full disk refuses is held and written once there is room; one still refused at
// shutdown is counted as a write error. Nothing half-written ever reaches the spool.
#include "services/traceroute-caller/trace_archiver.h"

#include <unistd.h>

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/fileio/files.h"
#include "lib/spool/spool_dir.h"
#include "lib/testing/small_filesystem.h"
#include "lib/testing/temp_dir.h"
#include "services/traceroute-caller/ip_anonymizer.h"
#include "services/traceroute-caller/trace_metrics.h"

namespace mlab::trc {
namespace {

using ::mlab::testing::ListFiles;
using ::testing::IsEmpty;
using ::testing::SizeIs;

std::string ReadFile(const std::string& path) {
  absl::StatusOr<std::string> contents = fileio::ReadWholeFile(path);
  EXPECT_TRUE(contents.ok()) << contents.status();
  return contents.value_or("");
}

TEST(TraceArchiverTest, AFullDiskHoldsTheTraceFileUntilThereIsRoom) {
  if (absl::Status s = ::mlab::testing::PrivateMountNamespace(); !s.ok()) GTEST_SKIP() << s;
  ::mlab::testing::TempDir dir;
  auto disk = ::mlab::testing::SmallFilesystem::Mount(dir.File("disk"), 256 * 1024);
  ASSERT_TRUE(disk.ok()) << disk.status();
  spool::SpoolDir traces(dir.File("disk/scamper1"));
  ASSERT_TRUE(traces.Init().ok());
  IpAnonymizer anonymizer(IpAnonymizer::Method::kNone, {});
  spool::RetryingWriter::Options retry;
  retry.first_retry = absl::Milliseconds(10);
  retry.max_retry = absl::Milliseconds(100);
  TraceArchiver archiver({TraceType::kMda, OutputFormat::kJsonl}, &traces, &anonymizer, nullptr,
                         retry);
  TraceOutcome outcome{ReadFile("services/traceroute-caller/testdata/netns_mda.jsonl")};
  TraceMetrics& m = TraceMetrics::Get();
  const double held_before = m.held.Value();
  const double errors_before = m.trace_errors.WithLabels({"write"}).Value();

  TraceArchiver::Report first = archiver.Archive("test_0000000000000001", outcome);
  ASSERT_TRUE(first.status.ok()) << first.status;
  const std::string archived = ReadFile(first.path);
  EXPECT_FALSE(archived.empty());

  absl::StatusOr<std::string> filler = (*disk)->Fill("filler");
  ASSERT_TRUE(filler.ok()) << filler.status();
  TraceArchiver::Report refused = archiver.Archive("test_0000000000000002", outcome);
  EXPECT_TRUE(absl::IsResourceExhausted(refused.status)) << refused.status;
  EXPECT_TRUE(refused.held);
  EXPECT_TRUE(refused.path.empty());
  EXPECT_EQ(m.held.Value(), held_before + 1);
  EXPECT_THAT(ListFiles(traces.datadir()), SizeIs(1));
  EXPECT_THAT(ListFiles(traces.staging_dir()), IsEmpty());

  ASSERT_EQ(unlink(filler->c_str()), 0);
  ASSERT_TRUE(archiver.files().WaitUntilNoneHeld(absl::Seconds(30)));
  std::vector<std::string> files = ListFiles(traces.datadir());
  ASSERT_THAT(files, SizeIs(2));
  EXPECT_NE(files[1].find("test_0000000000000002"), std::string::npos) << files[1];
  // The same trace, so the same bytes: the held copy was written whole.
  EXPECT_EQ(ReadFile(traces.datadir() + "/" + files[1]), archived);

  // Still full at shutdown: the last attempt fails and is counted.
  filler = (*disk)->Fill("filler");
  ASSERT_TRUE(filler.ok()) << filler.status();
  EXPECT_TRUE(archiver.Archive("test_0000000000000003", outcome).held);
  archiver.Stop();
  EXPECT_EQ(m.trace_errors.WithLabels({"write"}).Value(), errors_before + 1);
  EXPECT_THAT(ListFiles(traces.datadir()), SizeIs(2));
  EXPECT_THAT(ListFiles(traces.staging_dir()), IsEmpty());
}

}  // namespace
}  // namespace mlab::trc
