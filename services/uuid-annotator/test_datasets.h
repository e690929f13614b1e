// Upstream's fixtures loaded as the service loads them: MaxMind's test City database, the real
// RouteViews v4/v6 files, IPinfo's AS names and siteinfo for mlab1-lga03.
#ifndef MLAB_SERVICES_UUID_ANNOTATOR_TEST_DATASETS_H_
#define MLAB_SERVICES_UUID_ANNOTATOR_TEST_DATASETS_H_

#include <memory>
#include <string>

#include "services/uuid-annotator/datasets.h"

namespace mlab::uuid_annotator::testing {

struct TestDatasetOptions {
  // The full RouteViews files (golden vectors) or the first rows only (faster).
  bool full_routeviews = true;
  std::string hostname = "mlab1-lga03.mlab-sandbox.measurement-lab.org";
};

// Loaded once per process per option set; aborts the test program if a fixture fails to load.
std::shared_ptr<const Datasets> TestDatasets(const TestDatasetOptions& options = {});

// Fills `store` with TestDatasets(options).
void FillStore(DatasetStore* store, const TestDatasetOptions& options = {});

// The server address tests use for mlab1-lga03 (inside its 64.86.148.128/26 and
// 2001:5a0:4300::/64 prefixes).
inline constexpr char kServerV4[] = "64.86.148.130";
inline constexpr char kServerV6[] = "2001:5a0:4300::2";

}  // namespace mlab::uuid_annotator::testing

#endif  // MLAB_SERVICES_UUID_ANNOTATOR_TEST_DATASETS_H_
