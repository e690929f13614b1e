#include "lib/json/go_decoder.h"

#include "gtest/gtest.h"
#include "lib/json/full_precision.h"

namespace mlab::json {
namespace {

struct Hop {
  std::string addr;
  int32_t ttl = 0;
  std::optional<std::vector<uint32_t>> asns;
};

struct Trace {
  bool ok = false;
  double rtt = 0;
  int64_t start = 0;
  std::vector<Hop> hops;
};

absl::Status Decode(absl::string_view text, Trace* trace) {
  rapidjson::Document doc;
  if (absl::Status parsed = ParseFullPrecision(text, &doc); !parsed.ok()) return parsed;
  GoDecoder d;
  d.Object(doc, [&](const JsonValue& k, const JsonValue& v) {
    if (GoDecoder::KeyIs(k, "ok")) {
      d.Bool(v, &trace->ok);
    } else if (GoDecoder::KeyIs(k, "rtt")) {
      d.Float(v, &trace->rtt);
    } else if (GoDecoder::KeyIs(k, "start")) {
      d.Int(v, &trace->start);
    } else if (GoDecoder::KeyIs(k, "hops")) {
      d.Array(v, &trace->hops, [&](const JsonValue& item, Hop* hop) {
        d.Object(item, [&](const JsonValue& hk, const JsonValue& hv) {
          if (GoDecoder::KeyIs(hk, "addr")) {
            d.String(hv, &hop->addr);
          } else if (GoDecoder::KeyIs(hk, "ttl")) {
            d.Int32(hv, &hop->ttl);
          } else if (GoDecoder::KeyIs(hk, "asns")) {
            d.Array(hv, &hop->asns, [&](const JsonValue& a, uint32_t* asn) { d.Uint32(a, asn); });
          }
        });
      });
    }
  });
  return d.status();
}

TEST(GoDecoderTest, DecodesAsGoDoes) {
  Trace t;
  ASSERT_TRUE(Decode(R"({"OK":true,"Rtt":1.5,"start":-3,"unknown":{"x":[1]},
      "hops":[{"addr":"192.0.2.1","ttl":2,"asns":[64496,0]},{"addr":null,"asns":null},
              {"asns":[]}]})",
                     &t)
                  .ok());
  EXPECT_TRUE(t.ok);
  EXPECT_EQ(t.rtt, 1.5);
  EXPECT_EQ(t.start, -3);
  ASSERT_EQ(t.hops.size(), 3u);
  EXPECT_EQ(t.hops[0].addr, "192.0.2.1");
  EXPECT_EQ(t.hops[0].ttl, 2);
  EXPECT_EQ(t.hops[0].asns, (std::vector<uint32_t>{64496, 0}));
  EXPECT_EQ(t.hops[1].asns, std::nullopt);  // null is Go's nil slice
  EXPECT_EQ(t.hops[2].asns, std::vector<uint32_t>());
}

TEST(GoDecoderTest, NullLeavesAFieldAsItIs) {
  Trace t;
  t.rtt = 7;
  t.ok = true;
  ASSERT_TRUE(Decode(R"({"rtt":null,"ok":null,"hops":null})", &t).ok());
  EXPECT_EQ(t.rtt, 7);
  EXPECT_TRUE(t.ok);
}

TEST(GoDecoderTest, InvalidUtf8BecomesReplacementCharacter) {
  Trace t;
  ASSERT_TRUE(Decode("{\"hops\":[{\"addr\":\"a\xff\"}]}", &t).ok());
  EXPECT_EQ(t.hops[0].addr, "a\xef\xbf\xbd");
}

TEST(GoDecoderTest, ReportsTheFirstFailureWithItsPath) {
  Trace t;
  absl::Status s = Decode(R"({"hops":[{"ttl":1},{"ttl":1.0,"addr":5}],"ok":"yes"})", &t);
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  EXPECT_EQ(s.message(), "cannot decode hops[1].ttl as int32");
  EXPECT_EQ(Decode(R"({"hops":[{"asns":[-1]}]})", &t).message(),
            "cannot decode hops[0].asns[0] as uint32");
  EXPECT_EQ(Decode(R"({"hops":[{"asns":[4294967296]}]})", &t).message(),
            "cannot decode hops[0].asns[0] as uint32");
  EXPECT_EQ(Decode(R"({"hops":{}})", &t).message(), "cannot decode hops as array");
  EXPECT_EQ(Decode(R"({"rtt":"1"})", &t).message(), "cannot decode rtt as float64");
  EXPECT_EQ(Decode(R"({"start":1e2})", &t).message(), "cannot decode start as int64");
  EXPECT_EQ(Decode(R"([1])", &t).message(), "cannot decode the document as object");
}

}  // namespace
}  // namespace mlab::json
