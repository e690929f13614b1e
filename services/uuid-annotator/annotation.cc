#include "services/uuid-annotator/annotation.h"

#include "absl/strings/str_cat.h"
#include "services/uuid-annotator/go_json.h"

namespace mlab::uuid_annotator {
namespace {

void StringField(JsonObject& obj, const char* key, const std::string& value, std::string* out) {
  if (value.empty()) return;
  obj.Key(key);
  AppendGoString(value, out);
}

void IntField(JsonObject& obj, const char* key, int64_t value, std::string* out) {
  if (value == 0) return;
  obj.Key(key);
  absl::StrAppend(out, value);
}

void FloatField(JsonObject& obj, const char* key, double value, std::string* out) {
  if (value == 0) return;  // Also -0.0, as Go's omitempty.
  obj.Key(key);
  AppendGoFloat(value, out);
}

void BoolField(JsonObject& obj, const char* key, bool value, std::string* out) {
  if (!value) return;
  obj.Key(key);
  out->append("true");
}

}  // namespace

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
  JsonObject obj(out);
  StringField(obj, "ContinentCode", geo.continent_code, out);
  StringField(obj, "CountryCode", geo.country_code, out);
  StringField(obj, "CountryCode3", geo.country_code3, out);
  StringField(obj, "CountryName", geo.country_name, out);
  StringField(obj, "Region", geo.region, out);
  StringField(obj, "Subdivision1ISOCode", geo.subdivision1_iso_code, out);
  StringField(obj, "Subdivision1Name", geo.subdivision1_name, out);
  StringField(obj, "Subdivision2ISOCode", geo.subdivision2_iso_code, out);
  StringField(obj, "Subdivision2Name", geo.subdivision2_name, out);
  IntField(obj, "MetroCode", geo.metro_code, out);
  StringField(obj, "City", geo.city, out);
  IntField(obj, "AreaCode", geo.area_code, out);
  StringField(obj, "PostalCode", geo.postal_code, out);
  FloatField(obj, "Latitude", geo.latitude, out);
  FloatField(obj, "Longitude", geo.longitude, out);
  IntField(obj, "AccuracyRadiusKm", geo.accuracy_radius_km, out);
  BoolField(obj, "Missing", geo.missing, out);
  obj.End();
}

void AppendJson(const Network& network, std::string* out) {
  JsonObject obj(out);
  StringField(obj, "CIDR", network.cidr, out);
  IntField(obj, "ASNumber", network.as_number, out);
  StringField(obj, "ASName", network.as_name, out);
  BoolField(obj, "Missing", network.missing, out);
  if (!network.systems.empty()) {
    obj.Key("Systems");
    out->push_back('[');
    for (size_t i = 0; i < network.systems.size(); ++i) {
      if (i > 0) out->push_back(',');
      const System& system = network.systems[i];
      out->append("{\"ASNs\":");
      if (system.asns_null && system.asns.empty()) {
        out->append("null");
      } else {
        out->push_back('[');
        for (size_t k = 0; k < system.asns.size(); ++k) {
          if (k > 0) out->push_back(',');
          absl::StrAppend(out, system.asns[k]);
        }
        out->push_back(']');
      }
      out->push_back('}');
    }
    out->push_back(']');
  }
  obj.End();
}

void AppendJson(const ClientAnnotations& client, std::string* out) {
  JsonObject obj(out);
  if (client.geo) {
    obj.Key("Geo");
    AppendJson(*client.geo, out);
  }
  if (client.network) {
    obj.Key("Network");
    AppendJson(*client.network, out);
  }
  obj.End();
}

void AppendJson(const ServerAnnotations& server, std::string* out) {
  JsonObject obj(out);
  StringField(obj, "Site", server.site, out);
  StringField(obj, "Machine", server.machine, out);
  if (server.geo) {
    obj.Key("Geo");
    AppendJson(*server.geo, out);
  }
  if (server.network) {
    obj.Key("Network");
    AppendJson(*server.network, out);
  }
  obj.End();
}

std::string ToJson(const Annotations& annotations) {
  std::string out;
  out.reserve(1024);
  JsonObject obj(&out);
  obj.Key("UUID");
  AppendGoString(annotations.uuid, &out);
  obj.Key("Timestamp");
  AppendGoString(FormatGoTime(annotations.timestamp), &out);
  obj.Key("Server");
  AppendJson(annotations.server, &out);
  obj.Key("Client");
  AppendJson(annotations.client, &out);
  obj.End();
  return out;
}

std::string ToJson(const std::map<std::string, ClientAnnotations>& answers) {
  std::string out;
  out.reserve(answers.size() * 400 + 2);
  JsonObject obj(&out);
  for (const auto& [key, client] : answers) {
    obj.Key(key);
    AppendJson(client, &out);
  }
  obj.End();
  return out;
}

}  // namespace mlab::uuid_annotator
