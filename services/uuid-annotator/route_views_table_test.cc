// RouteViews parsing and longest-prefix search, against the reference's golden vectors on the
// real CAIDA files upstream tests with.
#include "services/uuid-annotator/route_views_table.h"

#include <random>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "services/uuid-annotator/archive_reader.h"
#include "services/uuid-annotator/test_util.h"

namespace mlab::uuid_annotator {
namespace {

using annotation::System;

using testing::ReadFileOrDie;
using testing::TestData;

std::vector<std::vector<uint32_t>> Asns(const std::vector<System>& systems) {
  std::vector<std::vector<uint32_t>> out;
  for (const System& s : systems) out.push_back(s.asns);
  return out;
}

std::unique_ptr<RouteViewsTable> Load(const char* file, RouteViewsRowCounts* counts = nullptr) {
  absl::StatusOr<std::string> text =
      Gunzip(ReadFileOrDie(TestData(std::string("uuid-annotator/testdata/") + file)));
  EXPECT_TRUE(text.ok()) << text.status();
  absl::StatusOr<std::unique_ptr<RouteViewsTable>> table = RouteViewsTable::Parse(*text, counts);
  EXPECT_TRUE(table.ok()) << table.status();
  return table.ok() ? *std::move(table) : nullptr;
}

TEST(ParseSystemsTest, Grammar) {
  using V = std::vector<std::vector<uint32_t>>;
  EXPECT_EQ(Asns(ParseSystems("13335")), (V{{13335}}));
  EXPECT_EQ(Asns(ParseSystems("31133_6854,25159")), (V{{31133}, {6854, 25159}}));
  EXPECT_EQ(Asns(ParseSystems("x")), (V{{}}));
  EXPECT_EQ(Asns(ParseSystems("1234,x")), (V{{1234}}));
  EXPECT_EQ(Asns(ParseSystems("4294967295_4294967296_-1")), (V{{4294967295u}, {}, {}}));
}

class RouteViewsGoldenTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    v4_ = Load("RouteViewIPv4.pfx2as.gz", &v4_counts_).release();
    v6_ = Load("RouteViewIPv6.pfx2as.gz").release();
  }
  static void TearDownTestSuite() {
    delete v4_;
    delete v6_;
  }
  static std::string Find(const RouteViewsTable* table, const char* ip,
                          std::vector<std::vector<uint32_t>>* asns = nullptr) {
    auto match = table->Lookup(*IpAddress::Parse(ip));
    if (!match) return "missing";
    if (asns != nullptr) *asns = Asns(*match->systems);
    return match->prefix.ToString();
  }
  static RouteViewsTable* v4_;
  static RouteViewsTable* v6_;
  static RouteViewsRowCounts v4_counts_;
};
RouteViewsTable* RouteViewsGoldenTest::v4_ = nullptr;
RouteViewsTable* RouteViewsGoldenTest::v6_ = nullptr;
RouteViewsRowCounts RouteViewsGoldenTest::v4_counts_;

TEST_F(RouteViewsGoldenTest, LoadsEveryRow) {
  EXPECT_EQ(v4_->size(), 845161u);
  EXPECT_EQ(v4_counts_.parsed, 845161);
  EXPECT_EQ(v4_counts_.missing_fields + v4_counts_.corrupt_netblock + v4_counts_.corrupt_prefix, 0);
  EXPECT_EQ(v6_->size(), 83125u);
}

TEST_F(RouteViewsGoldenTest, ReferenceVectors) {
  std::vector<std::vector<uint32_t>> asns;
  EXPECT_EQ(Find(v4_, "1.0.0.1", &asns), "1.0.0.0/24");
  EXPECT_EQ(asns, (std::vector<std::vector<uint32_t>>{{13335}}));
  // Longest of /18, /19 and /21.
  EXPECT_EQ(Find(v4_, "1.0.192.1", &asns), "1.0.192.0/21");
  EXPECT_EQ(asns, (std::vector<std::vector<uint32_t>>{{23969}}));
  EXPECT_EQ(Find(v4_, "223.252.176.1", &asns), "223.252.176.0/24");
  EXPECT_EQ(asns, (std::vector<std::vector<uint32_t>>{{133929}, {133107}}));
  EXPECT_EQ(Find(v4_, "2.125.160.216", &asns), "2.120.0.0/13");
  EXPECT_EQ(asns, (std::vector<std::vector<uint32_t>>{{5607}}));
  EXPECT_EQ(Find(v6_, "2001:200::1", &asns), "2001:200::/32");
  EXPECT_EQ(asns, (std::vector<std::vector<uint32_t>>{{2500}}));
  EXPECT_EQ(Find(v4_, "9.0.0.9"), "missing");
  EXPECT_EQ(Find(v4_, "2001:ff00::1"), "missing");
  EXPECT_EQ(Find(v4_, "2001:200::1"), "missing");  // Families never mix.
  EXPECT_EQ(Find(v6_, "1.0.0.1"), "missing");
  // A v4-mapped query is an IPv4 one.
  EXPECT_EQ(Find(v4_, "::ffff:1.0.0.1"), "1.0.0.0/24");
}

// The range index agrees with a plain longest-prefix search over every length, on the real file,
// at random addresses and at both edges of every prefix.
TEST_F(RouteViewsGoldenTest, AgreesWithBruteForceLongestPrefix) {
  absl::StatusOr<std::string> text =
      Gunzip(ReadFileOrDie(TestData("uuid-annotator/testdata/RouteViewIPv4.pfx2as.gz")));
  ASSERT_TRUE(text.ok());
  absl::flat_hash_set<uint64_t> known;  // network << 6 | length
  std::vector<IpPrefix> prefixes;
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    std::vector<std::string> f = absl::StrSplit(line, '\t');
    if (f.size() < 3) continue;
    std::optional<IpPrefix> p = ParseCidr(absl::StrCat(f[0], "/", f[1]));
    ASSERT_TRUE(p);
    known.insert(uint64_t{p->network.v4()} << 6 | p->length);
    prefixes.push_back(*p);
  }
  auto brute = [&](uint32_t ip) -> std::string {
    for (int len = 32; len >= 0; --len) {
      const uint32_t mask = len == 0 ? 0 : ~uint32_t{0} << (32 - len);
      if (known.contains(uint64_t{ip & mask} << 6 | len)) {
        return IpPrefix{IpAddress::V4(ip & mask), len}.ToString();
      }
    }
    return "missing";
  };
  auto fast = [&](uint32_t ip) {
    auto m = v4_->Lookup(IpAddress::V4(ip));
    return m ? m->prefix.ToString() : "missing";
  };
  std::mt19937 rng(7);
  std::vector<uint32_t> probes;
  for (int i = 0; i < 200000; ++i) probes.push_back(rng());
  for (size_t i = 0; i < prefixes.size(); i += 7) {
    const uint32_t start = prefixes[i].network.v4();
    const int host = 32 - prefixes[i].length;
    const uint32_t end = start | (host == 0 ? 0 : ~uint32_t{0} >> (32 - host));
    probes.insert(probes.end(), {start, start - 1, end, end + 1});
  }
  int mismatches = 0;
  for (uint32_t ip : probes) {
    if (brute(ip) != fast(ip) && ++mismatches <= 5) {
      ADD_FAILURE() << IpAddress::V4(ip).ToString() << ": " << brute(ip) << " vs " << fast(ip);
    }
  }
  EXPECT_EQ(mismatches, 0) << "of " << probes.size();
}

TEST(RouteViewsTableTest, CorruptRowsAreSkippedAndCounted) {
  RouteViewsRowCounts counts;
  absl::StatusOr<std::unique_ptr<RouteViewsTable>> table = RouteViewsTable::Parse(
      ReadFileOrDie(TestData("uuid-annotator/testdata/RouteViewIPv4.corrupt")), &counts);
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ((*table)->size(), 50u);
  EXPECT_EQ(counts.parsed, 50);
  EXPECT_EQ(counts.missing_fields, 1);
  EXPECT_EQ(counts.corrupt_netblock, 1);
  EXPECT_EQ(counts.corrupt_prefix, 1);
}

TEST(RouteViewsTableTest, LongestPrefixAcrossLengthsAndFamilies) {
  absl::StatusOr<std::unique_ptr<RouteViewsTable>> table = RouteViewsTable::Parse(
      "10.0.0.0\t8\t1\n10.1.0.0\t16\t2_3\n10.1.2.0\t24\t4,5\n0.0.0.0\t0\t6\n"
      "2001:db8::\t32\t7\n2001:db8:1::\t48\t8\n10.1.2.0\t24\t99\n"
      "255.255.255.0\t24\t10\n255.255.255.255\t32\t11\nffff::\t16\t12\n",
      nullptr);
  ASSERT_TRUE(table.ok());
  auto find = [&](const char* ip) {
    auto m = (*table)->Lookup(*IpAddress::Parse(ip));
    return m ? m->prefix.ToString() + " " + std::to_string(Asns(*m->systems)[0][0]) : "missing";
  };
  EXPECT_EQ(find("10.1.2.3"), "10.1.2.0/24 4");  // The first of duplicate rows wins.
  EXPECT_EQ(find("10.1.3.3"), "10.1.0.0/16 2");
  EXPECT_EQ(find("10.2.0.0"), "10.0.0.0/8 1");
  EXPECT_EQ(find("11.0.0.0"), "0.0.0.0/0 6");
  EXPECT_EQ(find("2001:db8:1::5"), "2001:db8:1::/48 8");
  EXPECT_EQ(find("2001:db8:2::5"), "2001:db8::/32 7");
  EXPECT_EQ(find("2001:db9::"), "missing");
  // The ends of the address spaces.
  EXPECT_EQ(find("255.255.255.255"), "255.255.255.255/32 11");
  EXPECT_EQ(find("255.255.255.254"), "255.255.255.0/24 10");
  EXPECT_EQ(find("255.255.254.255"), "0.0.0.0/0 6");
  EXPECT_EQ(find("0.0.0.0"), "0.0.0.0/0 6");
  EXPECT_EQ(find("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), "ffff::/16 12");
  EXPECT_EQ(find("::"), "missing");
}

TEST(RouteViewsTableTest, NothingParsableIsAnError) {
  EXPECT_FALSE(RouteViewsTable::Parse("", nullptr).ok());
  EXPECT_FALSE(RouteViewsTable::Parse("PK\x03\x04garbage\n", nullptr).ok());
}

}  // namespace
}  // namespace mlab::uuid_annotator
