#include "services/uuid-annotator/as_names.h"

#include "gtest/gtest.h"
#include "services/uuid-annotator/test_util.h"

namespace mlab::uuid_annotator {
namespace {

TEST(AsNamesTest, ReadsIpinfoCsv) {
  absl::StatusOr<std::unique_ptr<AsNames>> names = AsNames::Parse(
      testing::ReadFileOrDie(testing::TestData("uuid-annotator/data/asnames.ipinfo.csv")));
  ASSERT_TRUE(names.ok()) << names.status();
  // 87,206 rows after the header; AS137937 appears twice.
  EXPECT_EQ((*names)->size(), 87205u);
  EXPECT_EQ((*names)->Find(13335), "Cloudflare, Inc.");
  EXPECT_EQ((*names)->Find(5607), "Sky UK Limited");
  EXPECT_EQ((*names)->Find(2500), "WIDE Project");
  EXPECT_EQ((*names)->Find(133929), "TWOWIN CO., LIMITED");
  EXPECT_EQ((*names)->Find(1), "Level 3 Parent, LLC");
  EXPECT_EQ((*names)->Find(4294967295u), "");
}

TEST(AsNamesTest, SkipsBadNumbersButFailsOnBadCsv) {
  absl::StatusOr<std::unique_ptr<AsNames>> names =
      AsNames::Parse("asn,name\nAS5,Five\nASx,Bad\nA,Short\nXY7,\"Seven, Inc.\"\n");
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_EQ((*names)->size(), 2u);
  EXPECT_EQ((*names)->Find(7), "Seven, Inc.");  // The first two characters are dropped blindly.
  EXPECT_FALSE(AsNames::Parse("asn,name\nAS5,Five,extra\n").ok());
  EXPECT_FALSE(AsNames::Parse("asn,name\nAS5,\"Five\n").ok());
  EXPECT_FALSE(AsNames::Parse("").ok());
}

}  // namespace
}  // namespace mlab::uuid_annotator
