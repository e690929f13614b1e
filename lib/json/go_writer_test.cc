#include "lib/json/go_writer.h"

#include <cstdint>
#include <limits>
#include <string>

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace mlab::json {
namespace {

TEST(GoJsonWriterTest, WritesKeysInCallOrderWithCommas) {
  std::string out;
  GoJsonWriter w(&out);
  w.BeginObject();
  w.Field("Z", "last<first>");
  w.FieldInt("A", -1);
  w.FieldUint("U", std::numeric_limits<uint64_t>::max());
  w.Key("D");
  w.Double(1e-7);
  w.Key("B");
  w.Bool(false);
  w.Key("T");
  w.Time(absl::FromUnixNanos(1669849666500000000));
  w.Key("N");
  w.Null();
  w.EndObject();
  EXPECT_EQ(out, R"({"Z":"last\u003cfirst\u003e","A":-1,"U":18446744073709551615,"D":1e-7,)"
                 R"("B":false,"T":"2022-11-30T23:07:46.5Z","N":null})");
}

TEST(GoJsonWriterTest, NestsObjectsAndArrays) {
  std::string out;
  GoJsonWriter w(&out);
  w.BeginObject();
  w.Key("Empty");
  w.BeginObject();
  w.EndObject();
  w.Key("List");
  w.BeginArray();
  w.BeginObject();
  w.Field("Name", std::string("a"));
  w.EndObject();
  w.Int(2);
  w.BeginArray();
  w.EndArray();
  w.String("s");
  w.EndArray();
  w.Field("After", absl::string_view("x"));
  w.EndObject();
  EXPECT_EQ(out, R"({"Empty":{},"List":[{"Name":"a"},2,[],"s"],"After":"x"})");
}

TEST(GoJsonWriterTest, OmitEmptyDropsZeroValuesAsGo) {
  std::string out;
  GoJsonWriter w(&out);
  w.BeginObject();
  w.FieldOmitEmpty("S0", "");
  w.FieldIntOmitEmpty("I0", 0);
  w.FieldDoubleOmitEmpty("F0", 0.0);
  w.FieldDoubleOmitEmpty("F1", -0.0);
  w.FieldBoolOmitEmpty("B0", false);
  w.FieldOmitEmpty("S", "x");
  w.FieldIntOmitEmpty("I", 7);
  w.FieldDoubleOmitEmpty("F", -74.006);
  w.FieldBoolOmitEmpty("B", true);
  w.EndObject();
  EXPECT_EQ(out, R"({"S":"x","I":7,"F":-74.006,"B":true})");
}

TEST(GoJsonWriterTest, NonFiniteDoublesAreZero) {
  std::string out;
  GoJsonWriter w(&out);
  w.BeginArray();
  w.Double(std::numeric_limits<double>::quiet_NaN());
  w.Double(0.1);
  w.EndArray();
  EXPECT_EQ(out, "[0,0.1]");
}

}  // namespace
}  // namespace mlab::json
