#include "services/uuid-annotator/dataset_loader.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "glog/logging.h"
#include "services/uuid-annotator/annotator_metrics.h"
#include "services/uuid-annotator/archive_reader.h"

namespace mlab::uuid_annotator {

DatasetLoader::DatasetLoader(std::string name, std::unique_ptr<DataSource> source, Parser parser,
                             DatasetStore* store)
    : name_(std::move(name)),
      source_(std::move(source)),
      parser_(std::move(parser)),
      store_(store) {}

absl::Status DatasetLoader::Load(Result* result) {
  absl::MutexLock lock(&mu_);
  Result local;
  if (result == nullptr) result = &local;
  auto record = [&](Result r, const absl::Status& status) {
    *result = r;
    const char* label = r == Result::kLoaded      ? "loaded"
                        : r == Result::kUnchanged ? "unchanged"
                                                  : "error";
    metrics::DatasetReloads().WithLabels({name_, label}).Increment();
    metrics::DatasetUp().WithLabels({name_}).Set(status.ok() ? 1 : 0);
    return status;
  };

  absl::StatusOr<std::optional<DataSource::Content>> fetched = source_->Fetch(version_);
  if (!fetched.ok()) {
    const absl::Status status(
        fetched.status().code(),
        absl::StrCat("dataset ", name_, " (", source_->url(), "): ", fetched.status().message()));
    LOG(ERROR) << status << "; keeping the data in use";
    return record(Result::kError, status);
  }
  if (!fetched->has_value()) {
    // Same content as last time: still good, or still bad.
    return record(version_status_.ok() ? Result::kUnchanged : Result::kError, version_status_);
  }
  DataSource::Content content = std::move(**fetched);
  const size_t bytes = content.data.size();
  const absl::Time start = absl::Now();
  absl::StatusOr<Parsed> parsed = parser_(std::move(content.data));
  version_ = std::move(content.version);
  if (!parsed.ok()) {
    version_status_ = absl::Status(
        parsed.status().code(),
        absl::StrCat("dataset ", name_, " (", source_->url(), "): ", parsed.status().message()));
    LOG(ERROR) << version_status_ << "; keeping the data in use";
    return record(Result::kError, version_status_);
  }
  version_status_ = absl::OkStatus();
  store_->Update(parsed->install);
  metrics::DatasetLoadedTime().WithLabels({name_}).Set(absl::ToUnixSeconds(absl::Now()));
  metrics::DatasetEntries().WithLabels({name_}).Set(parsed->entries);
  LOG(INFO) << "dataset " << name_ << " loaded from " << source_->url() << ": " << bytes
            << " bytes, " << parsed->entries << " entries in "
            << absl::FormatDuration(absl::Now() - start);
  return record(Result::kLoaded, absl::OkStatus());
}

DatasetLoader::Parser MaxMindParser() {
  return [](std::string data) -> absl::StatusOr<DatasetLoader::Parsed> {
    absl::StatusOr<std::unique_ptr<GeoDatabase>> db = GeoDatabase::FromSource(data);
    if (!db.ok()) return db.status();
    if (!(*db)->supports_city()) {
      // Upstream loads such a database too, then fails every lookup: say so now.
      LOG(WARNING) << "MaxMind database_type " << (*db)->database_type()
                   << " has no City records: client Geo will be left out";
    }
    std::shared_ptr<const GeoDatabase> shared = *std::move(db);
    return DatasetLoader::Parsed{[shared](Datasets& d) { d.geo = shared; }, 1};
  };
}

DatasetLoader::Parser RouteViewsParser(bool v6) {
  return [v6](std::string data) -> absl::StatusOr<DatasetLoader::Parsed> {
    absl::StatusOr<std::string> text = Gunzip(data);
    if (!text.ok()) return text.status();
    data.clear();
    data.shrink_to_fit();
    RouteViewsRowCounts counts;
    absl::StatusOr<std::unique_ptr<RouteViewsTable>> table = RouteViewsTable::Parse(*text, &counts);
    metrics::RouteViewRows().WithLabels({"parsed"}).Add(counts.parsed);
    metrics::RouteViewRows().WithLabels({"missing-fields"}).Add(counts.missing_fields);
    metrics::RouteViewRows().WithLabels({"corrupt-netblock"}).Add(counts.corrupt_netblock);
    metrics::RouteViewRows().WithLabels({"corrupt-prefix"}).Add(counts.corrupt_prefix);
    metrics::RouteViewParsed().Increment();
    if (!table.ok()) return table.status();
    const int64_t skipped = counts.missing_fields + counts.corrupt_netblock + counts.corrupt_prefix;
    if (skipped > 0) {
      LOG(WARNING) << "RouteViews: skipped " << skipped << " bad rows of "
                   << counts.parsed + skipped;
    }
    std::shared_ptr<const RouteViewsTable> shared = *std::move(table);
    const double entries = static_cast<double>(shared->size());
    return DatasetLoader::Parsed{
        [shared, v6](Datasets& d) { (v6 ? d.routeview_v6 : d.routeview_v4) = shared; }, entries};
  };
}

DatasetLoader::Parser AsNamesParser() {
  return [](std::string data) -> absl::StatusOr<DatasetLoader::Parsed> {
    absl::StatusOr<std::unique_ptr<AsNames>> names = AsNames::Parse(data);
    if (!names.ok()) return names.status();
    std::shared_ptr<const AsNames> shared = *std::move(names);
    const double entries = static_cast<double>(shared->size());
    return DatasetLoader::Parsed{[shared](Datasets& d) { d.as_names = shared; }, entries};
  };
}

DatasetLoader::Parser SiteInfoParser(std::string hostname) {
  return [hostname](std::string data) -> absl::StatusOr<DatasetLoader::Parsed> {
    absl::StatusOr<std::unique_ptr<SiteInfo>> site = SiteInfo::Parse(data, hostname);
    if (!site.ok()) return site.status();
    std::shared_ptr<const SiteInfo> shared = *std::move(site);
    return DatasetLoader::Parsed{[shared](Datasets& d) { d.site = shared; }, 1};
  };
}

}  // namespace mlab::uuid_annotator
