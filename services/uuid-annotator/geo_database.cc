#include "services/uuid-annotator/geo_database.h"

#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "services/uuid-annotator/archive_reader.h"

namespace mlab::uuid_annotator {
namespace {

using annotation::Geolocation;

// Marks the start of an .mmdb's metadata section, near the end of the file.
constexpr absl::string_view kMetadataMarker("\xAB\xCD\xEFMaxMind.com", 14);

bool LooksLikeMmdb(absl::string_view data) {
  const size_t window = std::min<size_t>(data.size(), 128 * 1024);
  return data.substr(data.size() - window).find(kMetadataMarker) != absl::string_view::npos;
}

// geoip2-golang's database types (v1.7.0 getDBType): those that allow City lookups, and those
// that load but refuse them. Any other type fails the load there.
const absl::flat_hash_set<std::string>& CityTypes() {
  static const auto* types = new absl::flat_hash_set<std::string>{
      "DBIP-City-Lite",
      "DBIP-Country-Lite",
      "DBIP-Country",
      "DBIP-Location (compat=City)",
      "GeoLite2-City",
      "GeoIP2-City",
      "GeoIP2-City-Africa",
      "GeoIP2-City-Asia-Pacific",
      "GeoIP2-City-Europe",
      "GeoIP2-City-North-America",
      "GeoIP2-City-South-America",
      "GeoIP2-Precision-City",
      "GeoLite2-Country",
      "GeoIP2-Country",
      "DBIP-ISP (compat=Enterprise)",
      "DBIP-Location-ISP (compat=Enterprise)",
      "GeoIP2-Enterprise",
  };
  return *types;
}

const absl::flat_hash_set<std::string>& OtherKnownTypes() {
  static const auto* types = new absl::flat_hash_set<std::string>{
      "GeoIP2-Anonymous-IP",  "DBIP-ASN-Lite (compat=GeoLite2-ASN)",
      "GeoLite2-ASN",         "GeoIP2-Connection-Type",
      "GeoIP2-Domain",        "GeoIP2-ISP",
      "GeoIP2-Precision-ISP",
  };
  return *types;
}

// Opens `mmdb` with libmaxminddb, which reads only files: through an anonymous memory file, so
// nothing touches the disk and a dataset replaced on disk can never change under the mapping.
int OpenFromMemory(absl::string_view mmdb, MMDB_s* out) {
  const int fd = memfd_create("GeoLite2-City.mmdb", MFD_CLOEXEC);
  if (fd < 0) return MMDB_FILE_OPEN_ERROR;
  size_t done = 0;
  while (done < mmdb.size()) {
    const ssize_t n = write(fd, mmdb.data() + done, mmdb.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      close(fd);
      return MMDB_IO_ERROR;
    }
    done += n;
  }
  const std::string path = absl::StrCat("/proc/self/fd/", fd);
  const int rc = MMDB_open(path.c_str(), MMDB_MODE_MMAP, out);
  close(fd);  // The mapping keeps the memory alive.
  return rc;
}

absl::Status PathError(int rc, const char* what) {
  return absl::InvalidArgumentError(
      absl::StrCat("MaxMind record does not decode (", what, "): ", MMDB_strerror(rc)));
}

// Reads one value at `path` (NULL-terminated) into the matching C++ type; absent is fine.
absl::Status GetString(MMDB_entry_s* entry, const char* const* path, std::string* out) {
  MMDB_entry_data_s data;
  const int rc = MMDB_aget_value(entry, &data, path);
  if (rc == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR) return absl::OkStatus();  // Absent.
  if (rc != MMDB_SUCCESS) return PathError(rc, path[0]);
  if (!data.has_data) return absl::OkStatus();
  if (data.type != MMDB_DATA_TYPE_UTF8_STRING) return PathError(MMDB_INVALID_DATA_ERROR, path[0]);
  out->assign(data.utf8_string, data.data_size);
  return absl::OkStatus();
}

absl::Status GetUint(MMDB_entry_s* entry, const char* const* path, uint64_t* out) {
  MMDB_entry_data_s data;
  const int rc = MMDB_aget_value(entry, &data, path);
  if (rc == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR) return absl::OkStatus();  // Absent.
  if (rc != MMDB_SUCCESS) return PathError(rc, path[0]);
  if (!data.has_data) return absl::OkStatus();
  switch (data.type) {
    case MMDB_DATA_TYPE_UINT16:
      *out = data.uint16;
      return absl::OkStatus();
    case MMDB_DATA_TYPE_UINT32:
      *out = data.uint32;
      return absl::OkStatus();
    case MMDB_DATA_TYPE_UINT64:
      *out = data.uint64;
      return absl::OkStatus();
    case MMDB_DATA_TYPE_INT32:
      if (data.int32 >= 0) {
        *out = static_cast<uint64_t>(data.int32);
        return absl::OkStatus();
      }
      break;
  }
  return PathError(MMDB_INVALID_DATA_ERROR, path[0]);
}

absl::Status GetDouble(MMDB_entry_s* entry, const char* const* path, double* out) {
  MMDB_entry_data_s data;
  const int rc = MMDB_aget_value(entry, &data, path);
  if (rc == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR) return absl::OkStatus();  // Absent.
  if (rc != MMDB_SUCCESS) return PathError(rc, path[0]);
  if (!data.has_data) return absl::OkStatus();
  if (data.type == MMDB_DATA_TYPE_DOUBLE) {
    *out = data.double_value;
  } else if (data.type == MMDB_DATA_TYPE_FLOAT) {
    *out = data.float_value;
  } else {
    return PathError(MMDB_INVALID_DATA_ERROR, path[0]);
  }
  return absl::OkStatus();
}

#define RETURN_IF_ERROR(expr)          \
  do {                                 \
    absl::Status status_ = (expr);     \
    if (!status_.ok()) return status_; \
  } while (0)

}  // namespace

absl::StatusOr<std::unique_ptr<GeoDatabase>> GeoDatabase::FromSource(absl::string_view data) {
  if (IsGzip(data)) {
    // A .tar.gz (upstream's format) or a gzipped .mmdb.
    absl::StatusOr<std::string> plain = Gunzip(data);
    if (!plain.ok()) return plain.status();
    const bool is_tar = plain->size() > 262 && absl::string_view(*plain).substr(257, 5) == "ustar";
    if (!is_tar && LooksLikeMmdb(*plain)) return FromMmdb(*plain);
    absl::StatusOr<std::string> member = ExtractMember(*plain, kMemberSuffix);
    if (!member.ok()) return member.status();
    return FromMmdb(*member);
  }
  absl::StatusOr<std::string> member = ExtractMember(data, kMemberSuffix);
  if (member.ok()) return FromMmdb(*member);
  if (absl::IsInvalidArgument(member.status()) && LooksLikeMmdb(data)) return FromMmdb(data);
  return member.status();
}

absl::StatusOr<std::unique_ptr<GeoDatabase>> GeoDatabase::FromMmdb(absl::string_view mmdb) {
  std::unique_ptr<GeoDatabase> db(new GeoDatabase());
  const int rc = OpenFromMemory(mmdb, &db->mmdb_);
  if (rc != MMDB_SUCCESS) {
    return absl::InvalidArgumentError(absl::StrCat("not a MaxMind database: ", MMDB_strerror(rc)));
  }
  db->open_ = true;
  db->database_type_ =
      db->mmdb_.metadata.database_type != nullptr ? db->mmdb_.metadata.database_type : "";
  db->supports_city_ = CityTypes().contains(db->database_type_);
  if (!db->supports_city_ && !OtherKnownTypes().contains(db->database_type_)) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown MaxMind database_type \"", db->database_type_, "\""));
  }
  return db;
}

GeoDatabase::~GeoDatabase() {
  if (open_) MMDB_close(&mmdb_);
}

absl::StatusOr<Geolocation> GeoDatabase::Lookup(const IpAddress& ip) const {
  if (!supports_city_) {
    return absl::FailedPreconditionError(
        absl::StrCat("a ", database_type_, " database has no City records"));
  }
  sockaddr_storage storage = {};
  if (ip.is_v4()) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&storage);
    sin->sin_family = AF_INET;
    sin->sin_addr.s_addr = htonl(ip.v4());
  } else {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&storage);
    sin6->sin6_family = AF_INET6;
    memcpy(&sin6->sin6_addr, ip.bytes16().data(), 16);
  }
  int mmdb_error = MMDB_SUCCESS;
  MMDB_lookup_result_s result =
      MMDB_lookup_sockaddr(&mmdb_, reinterpret_cast<const sockaddr*>(&storage), &mmdb_error);
  if (mmdb_error != MMDB_SUCCESS) {
    return absl::InvalidArgumentError(
        absl::StrCat("MaxMind lookup of ", ip.ToString(), ": ", MMDB_strerror(mmdb_error)));
  }
  Geolocation geo;
  if (!result.found_entry) {
    geo.missing = true;
    return geo;
  }
  MMDB_entry_s* entry = &result.entry;
  static const char* const kCityId[] = {"city", "geoname_id", nullptr};
  static const char* const kCountryId[] = {"country", "geoname_id", nullptr};
  static const char* const kContinentId[] = {"continent", "geoname_id", nullptr};
  uint64_t city_id = 0, country_id = 0, continent_id = 0;
  RETURN_IF_ERROR(GetUint(entry, kCityId, &city_id));
  RETURN_IF_ERROR(GetUint(entry, kCountryId, &country_id));
  RETURN_IF_ERROR(GetUint(entry, kContinentId, &continent_id));
  if (city_id == 0 && country_id == 0 && continent_id == 0) {
    geo.missing = true;
    return geo;
  }

  static const char* const kContinentCode[] = {"continent", "code", nullptr};
  static const char* const kCountryIso[] = {"country", "iso_code", nullptr};
  static const char* const kCountryName[] = {"country", "names", "en", nullptr};
  static const char* const kMetroCode[] = {"location", "metro_code", nullptr};
  static const char* const kCityName[] = {"city", "names", "en", nullptr};
  static const char* const kPostal[] = {"postal", "code", nullptr};
  static const char* const kLatitude[] = {"location", "latitude", nullptr};
  static const char* const kLongitude[] = {"location", "longitude", nullptr};
  static const char* const kAccuracy[] = {"location", "accuracy_radius", nullptr};
  RETURN_IF_ERROR(GetString(entry, kContinentCode, &geo.continent_code));
  RETURN_IF_ERROR(GetString(entry, kCountryIso, &geo.country_code));
  RETURN_IF_ERROR(GetString(entry, kCountryName, &geo.country_name));
  uint64_t metro = 0, accuracy = 0;
  RETURN_IF_ERROR(GetUint(entry, kMetroCode, &metro));
  RETURN_IF_ERROR(GetString(entry, kCityName, &geo.city));
  RETURN_IF_ERROR(GetString(entry, kPostal, &geo.postal_code));
  RETURN_IF_ERROR(GetDouble(entry, kLatitude, &geo.latitude));
  RETURN_IF_ERROR(GetDouble(entry, kLongitude, &geo.longitude));
  RETURN_IF_ERROR(GetUint(entry, kAccuracy, &accuracy));
  geo.metro_code = static_cast<int64_t>(metro);
  geo.accuracy_radius_km = static_cast<int64_t>(accuracy);

  // Subdivisions: the first two, most general first.
  static const char* const kSubdivisions[] = {"subdivisions", nullptr};
  MMDB_entry_data_s list;
  const int rc = MMDB_aget_value(entry, &list, kSubdivisions);
  if (rc != MMDB_SUCCESS && rc != MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR) {
    return PathError(rc, "subdivisions");
  }
  if (rc == MMDB_SUCCESS && list.has_data) {
    if (list.type != MMDB_DATA_TYPE_ARRAY)
      return PathError(MMDB_INVALID_DATA_ERROR, "subdivisions");
    static const char* const kSub0Iso[] = {"subdivisions", "0", "iso_code", nullptr};
    static const char* const kSub0Name[] = {"subdivisions", "0", "names", "en", nullptr};
    static const char* const kSub1Iso[] = {"subdivisions", "1", "iso_code", nullptr};
    static const char* const kSub1Name[] = {"subdivisions", "1", "names", "en", nullptr};
    if (list.data_size > 0) {
      RETURN_IF_ERROR(GetString(entry, kSub0Iso, &geo.subdivision1_iso_code));
      RETURN_IF_ERROR(GetString(entry, kSub0Name, &geo.subdivision1_name));
    }
    if (list.data_size > 1) {
      RETURN_IF_ERROR(GetString(entry, kSub1Iso, &geo.subdivision2_iso_code));
      RETURN_IF_ERROR(GetString(entry, kSub1Name, &geo.subdivision2_name));
    }
  }
  return geo;
}

}  // namespace mlab::uuid_annotator
