#include "lib/annotation/proto.h"

#include "gtest/gtest.h"

namespace mlab::annotation {
namespace {

TEST(ProtoTest, RoundTripsEveryField) {
  ClientAnnotations client;
  Geolocation& g = client.geo.emplace();
  g.continent_code = "NA";
  g.country_code = "US";
  g.country_code3 = "USA";
  g.country_name = "United States";
  g.region = "R";
  g.subdivision1_iso_code = "NY";
  g.subdivision1_name = "New York";
  g.subdivision2_iso_code = "S2";
  g.subdivision2_name = "Sub 2";
  g.metro_code = 501;
  g.city = "New York";
  g.area_code = 212;
  g.postal_code = "10001";
  g.latitude = 40.7;
  g.longitude = -74.0;
  g.accuracy_radius_km = 5;
  g.missing = true;
  Network& n = client.network.emplace();
  n.cidr = "203.0.113.0/24";
  n.as_number = 64500;
  n.as_name = "Example";
  n.missing = true;
  n.systems = {System{{64500}, false}, System{{64501, 64502}, false}};

  const mlab::annotator::Annotation message = ToProto(client);
  EXPECT_EQ(message.geo().subdivision2_name(), "Sub 2");
  EXPECT_EQ(message.network().systems(1).asns(1), 64502u);
  const ClientAnnotations back = FromProto(message);
  EXPECT_EQ(back.geo, client.geo);
  EXPECT_EQ(back.network, client.network);

  std::string a, b;
  AppendJson(client, &a);
  AppendJson(back, &b);
  EXPECT_EQ(a, b);
}

TEST(ProtoTest, AbsentMembersStayAbsent) {
  const ClientAnnotations back = FromProto(ToProto(ClientAnnotations()));
  EXPECT_FALSE(back.geo.has_value());
  EXPECT_FALSE(back.network.has_value());

  mlab::annotator::Annotation message;
  message.mutable_network()->add_systems();  // No ASNs: Go's nil slice.
  std::string json;
  AppendJson(FromProto(message), &json);
  EXPECT_EQ(json, R"({"Network":{"Systems":[{"ASNs":null}]}})");
}

}  // namespace
}  // namespace mlab::annotation
