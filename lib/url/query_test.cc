#include "lib/url/query.h"

#include "gtest/gtest.h"

namespace mlab::url {
namespace {

TEST(QueryTest, FirstValuesInOrderDecoded) {
  const Query q = Query::Parse("client_name=a+b&x=%41&client_name=second&bad=%zz&flag&semi=1;2");
  EXPECT_EQ(q.First("client_name").value(), "a b");
  EXPECT_EQ(q.First("x").value(), "A");
  EXPECT_EQ(q.First("flag").value(), "");
  EXPECT_FALSE(q.First("bad").has_value());
  EXPECT_FALSE(q.First("semi").has_value());
  const auto firsts = q.FirstValues();
  ASSERT_EQ(firsts.size(), 3u);
  EXPECT_EQ(firsts[0].first, "client_name");
  EXPECT_EQ(firsts[0].second, "a b");
}

TEST(QueryTest, AllValuesAsGoParseQuery) {
  EXPECT_EQ(Query::Parse("ip=a&ip=b&x=c&ip").All("ip"), (std::vector<std::string>{"a", "b", ""}));
  EXPECT_EQ(Query::Parse("ip=1+2&ip=%41&ip=%zz&i%70=q").All("ip"),
            (std::vector<std::string>{"1 2", "A", "q"}));
  EXPECT_EQ(Query::Parse("ip=a;ip=b&ip=c").All("ip"), (std::vector<std::string>{"c"}));
  EXPECT_TRUE(Query::Parse("").All("ip").empty());
}

}  // namespace
}  // namespace mlab::url
