// MaxMind lookups with upstream's test database (MaxMind's GeoIP2-City-Test inside fake.tar.gz),
// against the reference's golden table.
#include "services/uuid-annotator/geo_database.h"

#include <archive.h>
#include <archive_entry.h>

#include "gtest/gtest.h"
#include "services/uuid-annotator/archive_reader.h"
#include "services/uuid-annotator/test_util.h"

namespace mlab::uuid_annotator {
namespace {

using annotation::Geolocation;

using testing::ReadFileOrDie;
using testing::TestData;

std::string Fixture(const char* name) {
  return ReadFileOrDie(TestData(std::string("uuid-annotator/testdata/") + name));
}

Geolocation Geo(const char* continent, const char* country, const char* name, double lat,
                double lon, int64_t accuracy) {
  Geolocation g;
  g.continent_code = continent;
  g.country_code = country;
  g.country_name = name;
  g.latitude = lat;
  g.longitude = lon;
  g.accuracy_radius_km = accuracy;
  return g;
}

Geolocation WithSub1(Geolocation g, const char* iso, const char* name) {
  g.subdivision1_iso_code = iso;
  g.subdivision1_name = name;
  return g;
}

class GeoDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<GeoDatabase>> db =
        GeoDatabase::FromSource(Fixture("fake.tar.gz"));
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
  }
  Geolocation Lookup(const char* ip) {
    absl::StatusOr<Geolocation> geo = db_->Lookup(*IpAddress::Parse(ip));
    EXPECT_TRUE(geo.ok()) << ip << ": " << geo.status();
    return geo.ok() ? *geo : Geolocation();
  }
  std::unique_ptr<GeoDatabase> db_;
};

TEST_F(GeoDatabaseTest, Metadata) {
  EXPECT_EQ(db_->database_type(), "GeoIP2-City");
  EXPECT_EQ(db_->build_epoch(), 1578435657u);
  EXPECT_TRUE(db_->supports_city());
}

TEST_F(GeoDatabaseTest, ReferenceVectors) {
  Geolocation boxford =
      WithSub1(Geo("EU", "GB", "United Kingdom", 51.75, -1.25, 100), "ENG", "England");
  boxford.subdivision2_iso_code = "WBK";
  boxford.subdivision2_name = "West Berkshire";
  boxford.city = "Boxford";
  boxford.postal_code = "OX1";
  EXPECT_EQ(Lookup("2.125.160.216"), boxford);

  Geolocation london =
      WithSub1(Geo("EU", "GB", "United Kingdom", 51.5142, -0.0931, 10), "ENG", "England");
  london.city = "London";
  EXPECT_EQ(Lookup("81.2.69.142"), london);
  london.accuracy_radius_km = 100;
  EXPECT_EQ(Lookup("81.2.69.160"), london);

  Geolocation linkoping =
      WithSub1(Geo("EU", "SE", "Sweden", 58.4167, 15.6167, 76), "E", "Östergötland County");
  linkoping.city = "Linköping";
  EXPECT_EQ(Lookup("89.160.20.112"), linkoping);

  Geolocation changchun =
      WithSub1(Geo("AS", "CN", "China", 43.88, 125.3228, 100), "22", "Jilin Sheng");
  changchun.city = "Changchun";
  EXPECT_EQ(Lookup("175.16.199.3"), changchun);

  Geolocation milton =
      WithSub1(Geo("NA", "US", "United States", 47.2513, -122.3149, 22), "WA", "Washington");
  milton.metro_code = 819;
  milton.city = "Milton";
  milton.postal_code = "98354";
  EXPECT_EQ(Lookup("216.160.83.56"), milton);

  EXPECT_EQ(Lookup("67.43.156.1"), Geo("AS", "BT", "Bhutan", 27.5, 90.5, 534));
  Geolocation ph = Geo("AS", "PH", "Philippines", 13.0, 122.0, 121);
  ph.postal_code = "34021";
  EXPECT_EQ(Lookup("202.196.224.1"), ph);
  EXPECT_EQ(Lookup("2a02:d280::1"), Geo("EU", "CZ", "Czech Republic", 49.75, 15.0, 100));
  EXPECT_EQ(Lookup("2001:218::1"), Geo("AS", "JP", "Japan", 35.68536, 139.75309, 100));
  EXPECT_EQ(Lookup("2a02:ff80::1"), Geo("EU", "DE", "Germany", 51.5, 10.5, 100));
  // A v4-mapped address is looked up as IPv4, as geoip2-golang does.
  EXPECT_EQ(Lookup("::ffff:2.125.160.216"), boxford);

  Geolocation missing;
  missing.missing = true;
  for (const char* ip : {"1.0.0.1", "127.0.0.1", "::1", "50.114.0.1", "2001:480::1"}) {
    EXPECT_EQ(Lookup(ip), missing) << ip;
  }
}

TEST(GeoDatabaseLoadTest, WrongTypeLoadsButCannotAnswer) {
  absl::StatusOr<std::unique_ptr<GeoDatabase>> db =
      GeoDatabase::FromSource(Fixture("wrongtype.tar.gz"));
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ((*db)->database_type(), "GeoIP2-Anonymous-IP");
  EXPECT_FALSE((*db)->Lookup(*IpAddress::Parse("1.2.3.4")).ok());
}

TEST(GeoDatabaseLoadTest, BadSourcesAreErrors) {
  absl::StatusOr<std::unique_ptr<GeoDatabase>> empty =
      GeoDatabase::FromSource(Fixture("empty.tar.gz"));
  EXPECT_TRUE(absl::IsNotFound(empty.status())) << empty.status();
  // corrupt.gz is really a zip of CSV files: no database member.
  EXPECT_FALSE(GeoDatabase::FromSource(Fixture("corrupt.gz")).ok());
  EXPECT_FALSE(GeoDatabase::FromSource("not an archive at all").ok());
  std::string truncated = Fixture("fake.tar.gz");
  truncated.resize(truncated.size() / 2);
  EXPECT_FALSE(GeoDatabase::FromSource(truncated).ok());
  EXPECT_FALSE(GeoDatabase::FromMmdb("\xAB\xCD\xEFMaxMind.com garbage").ok());
}

// Zips `content` as `name` with libarchive.
std::string Zip(const std::string& name, const std::string& content) {
  std::string out;
  archive* a = archive_write_new();
  archive_write_set_format_zip(a);
  archive_write_open(
      a, &out, nullptr,
      [](archive*, void* user, const void* buf, size_t n) -> la_ssize_t {
        static_cast<std::string*>(user)->append(static_cast<const char*>(buf), n);
        return static_cast<la_ssize_t>(n);
      },
      nullptr);
  archive_entry* e = archive_entry_new();
  archive_entry_set_pathname(e, name.c_str());
  archive_entry_set_size(e, static_cast<la_int64_t>(content.size()));
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_perm(e, 0644);
  archive_write_header(a, e);
  archive_write_data(a, content.data(), content.size());
  archive_entry_free(e);
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

TEST(GeoDatabaseLoadTest, AcceptsBareMmdbGzippedMmdbAndZip) {
  absl::StatusOr<std::string> mmdb = ExtractMember(Fixture("fake.tar.gz"), "GeoLite2-City.mmdb");
  ASSERT_TRUE(mmdb.ok()) << mmdb.status();
  EXPECT_EQ(mmdb->size(), 20831u);
  const std::string zip = Zip("GeoLite2-City_20200107/GeoLite2-City.mmdb", *mmdb);
  for (const std::string& source : {*mmdb, testing::Gzip(*mmdb), zip}) {
    absl::StatusOr<std::unique_ptr<GeoDatabase>> db = GeoDatabase::FromSource(source);
    ASSERT_TRUE(db.ok()) << db.status();
    absl::StatusOr<Geolocation> geo = (*db)->Lookup(*IpAddress::Parse("81.2.69.142"));
    ASSERT_TRUE(geo.ok());
    EXPECT_EQ(geo->city, "London");
  }
}

}  // namespace
}  // namespace mlab::uuid_annotator
