// Reloads: new content replaces the data in use; missing or corrupt content is reported and the
// last good copy stays; lookups holding a snapshot are never disturbed.
#include "services/uuid-annotator/dataset_loader.h"

#include <unistd.h>

#include "gtest/gtest.h"
#include "services/uuid-annotator/annotator_metrics.h"
#include "services/uuid-annotator/reload_scheduler.h"
#include "services/uuid-annotator/test_util.h"

namespace mlab::uuid_annotator {
namespace {

using testing::ReadFileOrDie;
using testing::TempDir;
using testing::TestData;
using testing::WriteFileOrDie;

double Up(const std::string& name) { return metrics::DatasetUp().WithLabels({name}).Value(); }

std::unique_ptr<DatasetLoader> Loader(const std::string& name, const std::string& path,
                                      DatasetLoader::Parser parser, DatasetStore* store) {
  absl::StatusOr<std::unique_ptr<DataSource>> source = DataSource::FromUrl(path);
  EXPECT_TRUE(source.ok());
  return std::make_unique<DatasetLoader>(name, *std::move(source), std::move(parser), store);
}

TEST(DatasetLoaderTest, CorruptOrMissingSourceKeepsLastGoodCopy) {
  TempDir dir;
  const std::string path = dir.File("annotations.json");
  const std::string good = ReadFileOrDie(TestData("uuid-annotator/testdata/annotations.json"));
  WriteFileOrDie(path, good);
  DatasetStore store;
  auto loader = Loader("siteinfo-test", path,
                       SiteInfoParser("mlab1-lga03.mlab-sandbox.measurement-lab.org"), &store);

  DatasetLoader::Result result;
  ASSERT_TRUE(loader->Load(&result).ok());
  EXPECT_EQ(result, DatasetLoader::Result::kLoaded);
  const std::shared_ptr<const Datasets> first = store.Get();
  ASSERT_NE(first->site, nullptr);
  EXPECT_EQ(Up("siteinfo-test"), 1);

  // Unchanged: nothing parsed, nothing swapped.
  ASSERT_TRUE(loader->Load(&result).ok());
  EXPECT_EQ(result, DatasetLoader::Result::kUnchanged);
  EXPECT_EQ(store.Get()->site, first->site);

  // Corrupt: reported, the old data stays, and it keeps being reported while unchanged.
  WriteFileOrDie(path, ReadFileOrDie(TestData("uuid-annotator/testdata/corrupt-annotations.json")));
  EXPECT_FALSE(loader->Load(&result).ok());
  EXPECT_EQ(result, DatasetLoader::Result::kError);
  EXPECT_EQ(store.Get()->site, first->site);
  EXPECT_EQ(Up("siteinfo-test"), 0);
  EXPECT_FALSE(loader->Load(&result).ok());
  EXPECT_EQ(store.Get()->site, first->site);

  // Missing: the same.
  unlink(path.c_str());
  EXPECT_FALSE(loader->Load(&result).ok());
  EXPECT_EQ(store.Get()->site, first->site);
  EXPECT_GE(metrics::DatasetReloads().WithLabels({"siteinfo-test", "error"}).Value(), 3);

  // Good again: a new copy is published; the snapshot taken earlier is untouched.
  WriteFileOrDie(path, good);
  ASSERT_TRUE(loader->Load(&result).ok());
  EXPECT_EQ(result, DatasetLoader::Result::kLoaded);
  EXPECT_NE(store.Get()->site, first->site);
  EXPECT_EQ(first->site->hostname(), "mlab1-lga03.mlab-sandbox.measurement-lab.org");
  EXPECT_EQ(Up("siteinfo-test"), 1);
}

TEST(DatasetLoaderTest, EachParserRejectsTheWrongFile) {
  const std::string corrupt = ReadFileOrDie(TestData("uuid-annotator/testdata/corrupt.gz"));
  EXPECT_FALSE(MaxMindParser()(corrupt).ok());
  EXPECT_FALSE(RouteViewsParser(false)(corrupt).ok());
  EXPECT_FALSE(
      MaxMindParser()(ReadFileOrDie(TestData("uuid-annotator/testdata/empty.tar.gz"))).ok());
  // Plain text is not what upstream accepts for RouteViews (gzip only).
  EXPECT_FALSE(RouteViewsParser(false)(
                   ReadFileOrDie(TestData("uuid-annotator/testdata/RouteViewIPv4.corrupt")))
                   .ok());
  EXPECT_FALSE(AsNamesParser()("asn,name\nAS1,\"x\n").ok());
  EXPECT_FALSE(
      SiteInfoParser("nope")(ReadFileOrDie(TestData("uuid-annotator/testdata/annotations.json")))
          .ok());
}

TEST(DatasetLoaderTest, RouteViewsParserCountsRows) {
  const double before = metrics::RouteViewRows().WithLabels({"parsed"}).Value();
  auto parsed = RouteViewsParser(true)(
      ReadFileOrDie(TestData("uuid-annotator/testdata/RouteViewIPv6.tiny.gz")));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->entries, 119);
  EXPECT_EQ(metrics::RouteViewRows().WithLabels({"parsed"}).Value() - before, 119);
  Datasets d;
  parsed->install(d);
  EXPECT_NE(d.routeview_v6, nullptr);
  EXPECT_EQ(d.routeview_v4, nullptr);
}

TEST(ReloadSchedulerTest, ChecksConfig) {
  EXPECT_TRUE(ReloadScheduler::Check({absl::Hours(1), absl::Hours(5), absl::Hours(24)}).ok());
  EXPECT_TRUE(ReloadScheduler::Check({absl::Hours(1), absl::Hours(5), absl::ZeroDuration()}).ok());
  EXPECT_FALSE(ReloadScheduler::Check({absl::Hours(6), absl::Hours(5), absl::Hours(24)}).ok());
  EXPECT_FALSE(ReloadScheduler::Check({absl::Hours(1), absl::Hours(25), absl::Hours(24)}).ok());
  EXPECT_FALSE(ReloadScheduler::Check({-absl::Hours(1), absl::Hours(5), absl::Hours(24)}).ok());
}

TEST(ReloadSchedulerTest, WaitsAreClampedAndAverageTheExpectedTime) {
  std::mt19937_64 rng(1);
  const ReloadScheduler::Config config{absl::Hours(1), absl::Hours(5), absl::Hours(24)};
  absl::Duration total;
  for (int i = 0; i < 10000; ++i) {
    const absl::Duration wait = ReloadScheduler::NextWait(config, rng);
    ASSERT_GE(wait, absl::Hours(1));
    ASSERT_LE(wait, absl::Hours(24));
    total += wait;
  }
  // Clamping raises short waits and cuts long ones; the mean stays near 5h.
  EXPECT_GT(total / 10000, absl::Hours(4.5));
  EXPECT_LT(total / 10000, absl::Hours(6.5));
}

TEST(ReloadSchedulerTest, TriggerNowReloadsAtOnce) {
  absl::Mutex mu;
  int reloads = 0;
  ReloadScheduler scheduler({absl::Hours(1), absl::Hours(5), absl::Hours(24)}, [&] {
    absl::MutexLock lock(&mu);
    ++reloads;
  });
  scheduler.Start();
  scheduler.TriggerNow();
  EXPECT_TRUE(testing::WaitFor([&] { return scheduler.completed() >= 1; }));
  scheduler.TriggerNow();
  EXPECT_TRUE(testing::WaitFor([&] { return scheduler.completed() >= 2; }));
  scheduler.Stop();
  absl::MutexLock lock(&mu);
  EXPECT_EQ(reloads, 2);
}

}  // namespace
}  // namespace mlab::uuid_annotator
