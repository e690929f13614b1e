// Hop annotations: the exact hopannotation2 bytes of ETL's real sample, one Annotator call per
// trace for hops not annotated that day, one read-only file per hop, retry after a failed call.
#include "services/traceroute-caller/hop_annotator.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/annotation/annotation.h"
#include "lib/annotation/proto.h"
#include "lib/testing/small_filesystem.h"
#include "lib/testing/temp_dir.h"
#include "services/traceroute-caller/hop_annotation.h"
#include "services/traceroute-caller/testing/fake_annotator.h"
#include "services/traceroute-caller/trace_metrics.h"

namespace mlab::trc {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(HopAnnotationTest, ReproducesEtlSampleByteForByte) {
  const std::string name = "20210818T174432Z_1e0b318cf3c2_91.189.88.152.json";
  std::string sample =
      ReadFile("external/shared_testdata/etl/parser/testdata/HopAnnotation2/" + name);
  ASSERT_FALSE(sample.empty());
  annotation::ClientAnnotations a;
  annotation::Geolocation& geo = a.geo.emplace();
  geo.continent_code = "EU";
  geo.country_code = "GB";
  geo.country_name = "United Kingdom";
  geo.subdivision1_iso_code = "ENG";
  geo.subdivision1_name = "England";
  geo.city = "London";
  geo.postal_code = "EC2V";
  geo.latitude = 51.5095;
  geo.longitude = -0.0955;
  geo.accuracy_radius_km = 200;
  annotation::Network& net = a.network.emplace();
  net.cidr = "91.189.88.0/21";
  net.as_number = 41231;
  net.as_name = "Canonical Group Limited";
  net.systems.push_back({{41231}});
  absl::Time start;
  ASSERT_TRUE(absl::ParseTime(absl::RFC3339_full, "2021-08-18T17:44:32Z", &start, nullptr));
  std::string id = HopAnnotationID(start, "1e0b318cf3c2", "91.189.88.152");
  EXPECT_EQ(id, "20210818_1e0b318cf3c2_91.189.88.152");
  EXPECT_EQ(HopAnnotationJson(id, start, &a), sample);
  EXPECT_EQ(HopAnnotationFileName(start, "1e0b318cf3c2", "91.189.88.152"), name);
}

TEST(HopAnnotationTest, EmptyAndNullAnnotations) {
  absl::Time start = absl::FromUnixSeconds(0);
  annotation::ClientAnnotations empty;
  EXPECT_EQ(HopAnnotationJson("x", start, &empty),
            "{\"ID\":\"x\",\"Timestamp\":\"1970-01-01T00:00:00Z\",\"Annotations\":{}}");
  EXPECT_EQ(HopAnnotationJson("x", start, nullptr),
            "{\"ID\":\"x\",\"Timestamp\":\"1970-01-01T00:00:00Z\",\"Annotations\":null}");
  annotation::ClientAnnotations missing;
  missing.geo.emplace().missing = true;
  missing.network.emplace().missing = true;
  EXPECT_EQ(HopAnnotationJson("x", start, &missing),
            "{\"ID\":\"x\",\"Timestamp\":\"1970-01-01T00:00:00Z\",\"Annotations\":{\"Geo\":{"
            "\"Missing\":true},\"Network\":{\"Missing\":true}}}");
  EXPECT_EQ(HopAnnotationFileName(start, "host", "2001:db8::1"),
            "19700101T000000Z_host_2001:db8::1.json");
}

class HopAnnotatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto fake = testing::FakeAnnotator::Start(dir_ + "/ann.sock");
    ASSERT_TRUE(fake.ok()) << fake.status();
    fake_ = *std::move(fake);
    client_ = std::make_unique<GrpcAnnotatorClient>(dir_ + "/ann.sock", absl::Seconds(10));
    spool_ = std::make_unique<spool::SpoolDir>(dir_ + "/hopannotation2");
    ASSERT_TRUE(spool_->Init().ok());
    annotator_ = std::make_unique<HopAnnotator>(client_.get(), spool_.get(), "testhost");
  }
  void TearDown() override {
    annotator_.reset();
    client_.reset();
    fake_.reset();
  }

  ::mlab::testing::ShortTempDir tmp_;
  std::string dir_ = tmp_.path();
  std::unique_ptr<testing::FakeAnnotator> fake_;
  std::unique_ptr<GrpcAnnotatorClient> client_;
  std::unique_ptr<spool::SpoolDir> spool_;
  std::unique_ptr<HopAnnotator> annotator_;
  absl::Time day1_ = absl::FromUnixSeconds(1629308672);  // 2021-08-18T17:44:32Z
};

TEST_F(HopAnnotatorTest, WritesOneReadOnlyFilePerHopOncePerDay) {
  auto written = annotator_->AnnotateAndWrite({"198.51.100.1", "2001:db8::1"}, day1_);
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_EQ(*written, 2);
  std::string path =
      dir_ + "/hopannotation2/2021/08/18/20210818T174432Z_testhost_198.51.100.1.json";
  std::string contents = ReadFile(path);
  // The gRPC answer, read back as the service's records.
  annotation::ClientAnnotations expected =
      annotation::FromProto(testing::FakeAnnotation("198.51.100.1"));
  EXPECT_EQ(contents, HopAnnotationJson("20210818_testhost_198.51.100.1", day1_, &expected));
  EXPECT_NE(contents.back(), '\n');
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0444);
  EXPECT_EQ(
      stat((dir_ + "/hopannotation2/2021/08/18/20210818T174432Z_testhost_2001:db8::1.json").c_str(),
           &st),
      0);

  // Same day, later trace: only the new hop is asked for.
  auto again =
      annotator_->AnnotateAndWrite({"198.51.100.1", "203.0.113.1"}, day1_ + absl::Hours(1));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 1);
  // Nothing new: no call at all.
  EXPECT_EQ(*annotator_->AnnotateAndWrite({"198.51.100.1"}, day1_ + absl::Hours(2)), 0);
  // Next day: annotated again.
  EXPECT_EQ(*annotator_->AnnotateAndWrite({"198.51.100.1"}, day1_ + absl::Hours(24)), 1);
  auto requests = fake_->requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_THAT(requests[0], UnorderedElementsAre("198.51.100.1", "2001:db8::1"));
  EXPECT_THAT(requests[1], ElementsAre("203.0.113.1"));
  EXPECT_THAT(requests[2], ElementsAre("198.51.100.1"));
}

TEST_F(HopAnnotatorTest, FailedCallIsRetriedByTheNextTrace) {
  fake_->set_failing(true);
  EXPECT_FALSE(annotator_->AnnotateAndWrite({"198.51.100.1"}, day1_).ok());
  EXPECT_EQ(annotator_->CachedHops("20210818"), 0u);
  fake_->set_failing(false);
  EXPECT_EQ(*annotator_->AnnotateAndWrite({"198.51.100.1"}, day1_), 1);
  EXPECT_EQ(fake_->requests().size(), 2u);
}

// On a full disk no hop file is left half-written, and each unwritten hop is annotated again by
// the next trace through it that day.
TEST_F(HopAnnotatorTest, HopsAFullDiskCouldNotTakeAreRetriedByTheNextTrace) {
  if (absl::Status s = ::mlab::testing::PrivateMountNamespace(); !s.ok()) GTEST_SKIP() << s;
  auto disk = ::mlab::testing::SmallFilesystem::Mount(dir_ + "/disk", 256 * 1024);
  ASSERT_TRUE(disk.ok()) << disk.status();
  spool::SpoolDir spool(dir_ + "/disk/hopannotation2");
  ASSERT_TRUE(spool.Init().ok());
  HopAnnotator annotator(client_.get(), &spool, "testhost");
  absl::StatusOr<std::string> filler = (*disk)->Fill("filler");
  ASSERT_TRUE(filler.ok()) << filler.status();
  const double errors_before =
      TraceMetrics::Get().hop_errors.WithLabels({"hopannotation", "writefile"}).Value();
  EXPECT_FALSE(annotator.AnnotateAndWrite({"198.51.100.1", "2001:db8::1"}, day1_).ok());
  EXPECT_GE(TraceMetrics::Get().hop_errors.WithLabels({"hopannotation", "writefile"}).Value() -
                errors_before,
            1);
  EXPECT_TRUE(::mlab::testing::ListFiles(spool.datadir()).empty());
  EXPECT_TRUE(::mlab::testing::ListFiles(spool.staging_dir()).empty());
  EXPECT_EQ(annotator.CachedHops("20210818"), 0u);

  ASSERT_EQ(unlink(filler->c_str()), 0);
  absl::StatusOr<int> written =
      annotator.AnnotateAndWrite({"198.51.100.1", "2001:db8::1"}, day1_ + absl::Hours(1));
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_EQ(*written, 2);
  EXPECT_THAT(::mlab::testing::ListFiles(spool.datadir()),
              UnorderedElementsAre("2021/08/18/20210818T184432Z_testhost_198.51.100.1.json",
                                   "2021/08/18/20210818T184432Z_testhost_2001:db8::1.json"));
}

TEST_F(HopAnnotatorTest, UnparsableHopFailsEverything) {
  EXPECT_FALSE(annotator_->AnnotateAndWrite({"198.51.100.1", "*"}, day1_).ok());
  EXPECT_TRUE(fake_->requests().empty());
}

TEST_F(HopAnnotatorTest, ServiceDownIsAnErrorNotAHang) {
  fake_.reset();
  absl::Time start = absl::Now();
  EXPECT_FALSE(annotator_->AnnotateAndWrite({"198.51.100.1"}, day1_).ok());
  EXPECT_LT(absl::Now() - start, absl::Seconds(11));
}

}  // namespace
}  // namespace mlab::trc
