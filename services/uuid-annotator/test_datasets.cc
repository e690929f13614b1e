#include "services/uuid-annotator/test_datasets.h"

#include <map>
#include <mutex>
#include <utility>

#include "glog/logging.h"
#include "services/uuid-annotator/dataset_loader.h"
#include "services/uuid-annotator/test_util.h"

namespace mlab::uuid_annotator::testing {
namespace {

void Install(const DatasetLoader::Parser& parser, const std::string& file, Datasets* d) {
  absl::StatusOr<DatasetLoader::Parsed> parsed = parser(ReadFileOrDie(TestData(file)));
  CHECK(parsed.ok()) << file << ": " << parsed.status();
  parsed->install(*d);
}

}  // namespace

std::shared_ptr<const Datasets> TestDatasets(const TestDatasetOptions& options) {
  static std::mutex mu;
  static auto* cache = new std::map<std::pair<bool, std::string>, std::shared_ptr<const Datasets>>;
  std::lock_guard<std::mutex> lock(mu);
  auto key = std::make_pair(options.full_routeviews, options.hostname);
  auto it = cache->find(key);
  if (it != cache->end()) return it->second;
  auto d = std::make_shared<Datasets>();
  const std::string dir = "uuid-annotator/testdata/";
  Install(MaxMindParser(), dir + "fake.tar.gz", d.get());
  Install(RouteViewsParser(false),
          dir + (options.full_routeviews ? "RouteViewIPv4.pfx2as.gz" : "RouteViewIPv4.tiny.gz"),
          d.get());
  Install(RouteViewsParser(true),
          dir + (options.full_routeviews ? "RouteViewIPv6.pfx2as.gz" : "RouteViewIPv6.tiny.gz"),
          d.get());
  Install(AsNamesParser(), "uuid-annotator/data/asnames.ipinfo.csv", d.get());
  Install(SiteInfoParser(options.hostname), dir + "annotations.json", d.get());
  cache->emplace(key, d);
  return d;
}

void FillStore(DatasetStore* store, const TestDatasetOptions& options) {
  std::shared_ptr<const Datasets> d = TestDatasets(options);
  store->Update([&](Datasets& current) { current = *d; });
}

}  // namespace mlab::uuid_annotator::testing
