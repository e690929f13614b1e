// MaxMind GeoLite2/GeoIP2 City lookups through libmaxminddb, mapped to annotation2's Geolocation
// as upstream's geoannotator maps geoip2-golang's City record.
#ifndef MLAB_SERVICES_UUID_ANNOTATOR_GEO_DATABASE_H_
#define MLAB_SERVICES_UUID_ANNOTATOR_GEO_DATABASE_H_

#include <maxminddb.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/annotation/annotation.h"
#include "services/uuid-annotator/ip_address.h"

namespace mlab::uuid_annotator {

class GeoDatabase {
 public:
  // The member name upstream looks for (a suffix, so GeoLite2-City_YYYYMMDD/... matches).
  static constexpr absl::string_view kMemberSuffix = "GeoLite2-City.mmdb";

  // From a MaxMind download: a .tar.gz (upstream's format), .tar or .zip holding a member whose
  // name ends with kMemberSuffix, or a bare (optionally gzipped) .mmdb.
  static absl::StatusOr<std::unique_ptr<GeoDatabase>> FromSource(absl::string_view data);

  // From the bytes of an .mmdb. Fails for a database_type geoip2-golang does not know; a known
  // type that cannot answer City lookups (e.g. GeoIP2-Anonymous-IP) loads, but every Lookup
  // fails, as upstream behaves.
  static absl::StatusOr<std::unique_ptr<GeoDatabase>> FromMmdb(absl::string_view mmdb);

  ~GeoDatabase();
  GeoDatabase(const GeoDatabase&) = delete;
  GeoDatabase& operator=(const GeoDatabase&) = delete;

  // The record's fields; {Missing: true} when there is no record or its city, country and
  // continent geoname_ids are all 0. An error when this database cannot answer (wrong type, an
  // IPv6 address in an IPv4 database, a record that does not decode): upstream then leaves Geo
  // out of the annotation. Thread-safe.
  absl::StatusOr<annotation::Geolocation> Lookup(const IpAddress& ip) const;

  const std::string& database_type() const { return database_type_; }
  uint64_t build_epoch() const { return mmdb_.metadata.build_epoch; }
  bool supports_city() const { return supports_city_; }

 private:
  GeoDatabase() = default;

  MMDB_s mmdb_{};
  bool open_ = false;
  bool supports_city_ = false;
  std::string database_type_;
};

}  // namespace mlab::uuid_annotator

#endif  // MLAB_SERVICES_UUID_ANNOTATOR_GEO_DATABASE_H_
