#include "lib/annotation/annotation.h"

#include "lib/json/go_writer.h"

namespace mlab::annotation {
namespace {

using json::GoJsonWriter;

void Write(const Geolocation& geo, GoJsonWriter* w) {
  w->BeginObject();
  w->FieldOmitEmpty("ContinentCode", geo.continent_code);
  w->FieldOmitEmpty("CountryCode", geo.country_code);
  w->FieldOmitEmpty("CountryCode3", geo.country_code3);
  w->FieldOmitEmpty("CountryName", geo.country_name);
  w->FieldOmitEmpty("Region", geo.region);
  w->FieldOmitEmpty("Subdivision1ISOCode", geo.subdivision1_iso_code);
  w->FieldOmitEmpty("Subdivision1Name", geo.subdivision1_name);
  w->FieldOmitEmpty("Subdivision2ISOCode", geo.subdivision2_iso_code);
  w->FieldOmitEmpty("Subdivision2Name", geo.subdivision2_name);
  w->FieldIntOmitEmpty("MetroCode", geo.metro_code);
  w->FieldOmitEmpty("City", geo.city);
  w->FieldIntOmitEmpty("AreaCode", geo.area_code);
  w->FieldOmitEmpty("PostalCode", geo.postal_code);
  w->FieldDoubleOmitEmpty("Latitude", geo.latitude);
  w->FieldDoubleOmitEmpty("Longitude", geo.longitude);
  w->FieldIntOmitEmpty("AccuracyRadiusKm", geo.accuracy_radius_km);
  w->FieldBoolOmitEmpty("Missing", geo.missing);
  w->EndObject();
}

void Write(const Network& network, GoJsonWriter* w) {
  w->BeginObject();
  w->FieldOmitEmpty("CIDR", network.cidr);
  w->FieldIntOmitEmpty("ASNumber", network.as_number);
  w->FieldOmitEmpty("ASName", network.as_name);
  w->FieldBoolOmitEmpty("Missing", network.missing);
  if (!network.systems.empty()) {
    w->Key("Systems");
    w->BeginArray();
    for (const System& system : network.systems) {
      w->BeginObject();
      w->Key("ASNs");
      if (system.asns_null && system.asns.empty()) {
        w->Null();
      } else {
        w->BeginArray();
        for (const uint32_t asn : system.asns) w->Int(asn);
        w->EndArray();
      }
      w->EndObject();
    }
    w->EndArray();
  }
  w->EndObject();
}

// The Geo and Network members both sides have: pointers in Go, omitted when nil.
void WriteGeoAndNetwork(const std::optional<Geolocation>& geo,
                        const std::optional<Network>& network, GoJsonWriter* w) {
  if (geo) {
    w->Key("Geo");
    Write(*geo, w);
  }
  if (network) {
    w->Key("Network");
    Write(*network, w);
  }
}

void Write(const ServerAnnotations& server, GoJsonWriter* w) {
  w->BeginObject();
  w->FieldOmitEmpty("Site", server.site);
  w->FieldOmitEmpty("Machine", server.machine);
  WriteGeoAndNetwork(server.geo, server.network, w);
  w->EndObject();
}

}  // namespace

void Write(const ClientAnnotations& client, GoJsonWriter* w) {
  w->BeginObject();
  WriteGeoAndNetwork(client.geo, client.network, w);
  w->EndObject();
}

bool operator==(const Geolocation& a, const Geolocation& b) {
  return a.continent_code == b.continent_code && a.country_code == b.country_code &&
         a.country_code3 == b.country_code3 && a.country_name == b.country_name &&
         a.region == b.region && a.subdivision1_iso_code == b.subdivision1_iso_code &&
         a.subdivision1_name == b.subdivision1_name &&
         a.subdivision2_iso_code == b.subdivision2_iso_code &&
         a.subdivision2_name == b.subdivision2_name && a.metro_code == b.metro_code &&
         a.city == b.city && a.area_code == b.area_code && a.postal_code == b.postal_code &&
         a.latitude == b.latitude && a.longitude == b.longitude &&
         a.accuracy_radius_km == b.accuracy_radius_km && a.missing == b.missing;
}

void AppendJson(const Geolocation& geo, std::string* out) {
  GoJsonWriter w(out);
  Write(geo, &w);
}

void AppendJson(const Network& network, std::string* out) {
  GoJsonWriter w(out);
  Write(network, &w);
}

void AppendJson(const ClientAnnotations& client, std::string* out) {
  GoJsonWriter w(out);
  Write(client, &w);
}

void AppendJson(const ServerAnnotations& server, std::string* out) {
  GoJsonWriter w(out);
  Write(server, &w);
}

std::string ToJson(const Annotations& annotations) {
  std::string out;
  out.reserve(1024);
  GoJsonWriter w(&out);
  w.BeginObject();
  w.Field("UUID", annotations.uuid);
  w.Key("Timestamp");
  w.Time(annotations.timestamp);
  w.Key("Server");
  Write(annotations.server, &w);
  w.Key("Client");
  Write(annotations.client, &w);
  w.EndObject();
  return out;
}

std::string ToJson(const std::map<std::string, ClientAnnotations>& answers) {
  std::string out;
  out.reserve(answers.size() * 400 + 2);
  GoJsonWriter w(&out);
  w.BeginObject();
  for (const auto& [key, client] : answers) {
    w.Key(key);
    Write(client, &w);
  }
  w.EndObject();
  return out;
}

}  // namespace mlab::annotation
