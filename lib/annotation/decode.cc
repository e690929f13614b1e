#include "lib/annotation/decode.h"

#include <utility>

#include "lib/json/full_precision.h"

namespace mlab::annotation {
namespace {

using json::GoDecoder;
using json::JsonValue;

void DecodeSystem(GoDecoder& d, const JsonValue& v, System* system) {
  system->asns_null = true;  // A System without "ASNs" keeps Go's nil slice.
  d.Object(v, [&](const JsonValue& key, const JsonValue& f) {
    if (!GoDecoder::KeyIs(key, "ASNs")) return;
    std::optional<std::vector<uint32_t>> asns;
    d.Array(f, &asns, [&](const JsonValue& asn, uint32_t* out) { d.Uint32(asn, out); });
    system->asns_null = !asns.has_value();
    system->asns = std::move(asns).value_or(std::vector<uint32_t>());
  });
}

}  // namespace

void Decode(GoDecoder& d, const JsonValue& v, std::optional<Geolocation>* out) {
  if (v.IsNull()) {
    out->reset();
    return;
  }
  if (!out->has_value()) out->emplace();
  Geolocation& g = **out;
  d.Object(v, [&](const JsonValue& key, const JsonValue& f) {
    const std::pair<const char*, std::string*> strings[] = {
        {"ContinentCode", &g.continent_code},
        {"CountryCode", &g.country_code},
        {"CountryCode3", &g.country_code3},
        {"CountryName", &g.country_name},
        {"Region", &g.region},
        {"Subdivision1ISOCode", &g.subdivision1_iso_code},
        {"Subdivision1Name", &g.subdivision1_name},
        {"Subdivision2ISOCode", &g.subdivision2_iso_code},
        {"Subdivision2Name", &g.subdivision2_name},
        {"City", &g.city},
        {"PostalCode", &g.postal_code},
    };
    for (const auto& [name, field] : strings) {
      if (GoDecoder::KeyIs(key, name)) return d.String(f, field);
    }
    const std::pair<const char*, int64_t*> ints[] = {
        {"MetroCode", &g.metro_code},
        {"AreaCode", &g.area_code},
        {"AccuracyRadiusKm", &g.accuracy_radius_km},
    };
    for (const auto& [name, field] : ints) {
      if (GoDecoder::KeyIs(key, name)) return d.Int(f, field);
    }
    if (GoDecoder::KeyIs(key, "Latitude")) {
      d.Float(f, &g.latitude);
    } else if (GoDecoder::KeyIs(key, "Longitude")) {
      d.Float(f, &g.longitude);
    } else if (GoDecoder::KeyIs(key, "Missing")) {
      d.Bool(f, &g.missing);
    }
  });
}

void Decode(GoDecoder& d, const JsonValue& v, std::optional<Network>* out) {
  if (v.IsNull()) {
    out->reset();
    return;
  }
  if (!out->has_value()) out->emplace();
  Network& n = **out;
  d.Object(v, [&](const JsonValue& key, const JsonValue& f) {
    if (GoDecoder::KeyIs(key, "CIDR")) {
      d.String(f, &n.cidr);
    } else if (GoDecoder::KeyIs(key, "ASNumber")) {
      d.Uint32(f, &n.as_number);
    } else if (GoDecoder::KeyIs(key, "ASName")) {
      d.String(f, &n.as_name);
    } else if (GoDecoder::KeyIs(key, "Missing")) {
      d.Bool(f, &n.missing);
    } else if (GoDecoder::KeyIs(key, "Systems")) {
      d.Array(f, &n.systems, [&](const JsonValue& item, System* s) { DecodeSystem(d, item, s); });
    }
  });
}

void Decode(GoDecoder& d, const JsonValue& v, ClientAnnotations* out) {
  d.Object(v, [&](const JsonValue& key, const JsonValue& f) {
    if (GoDecoder::KeyIs(key, "Geo")) {
      Decode(d, f, &out->geo);
    } else if (GoDecoder::KeyIs(key, "Network")) {
      Decode(d, f, &out->network);
    }
  });
}

void Decode(GoDecoder& d, const JsonValue& v, ServerAnnotations* out) {
  d.Object(v, [&](const JsonValue& key, const JsonValue& f) {
    if (GoDecoder::KeyIs(key, "Site")) {
      d.String(f, &out->site);
    } else if (GoDecoder::KeyIs(key, "Machine")) {
      d.String(f, &out->machine);
    } else if (GoDecoder::KeyIs(key, "Geo")) {
      Decode(d, f, &out->geo);
    } else if (GoDecoder::KeyIs(key, "Network")) {
      Decode(d, f, &out->network);
    }
  });
}

absl::StatusOr<std::map<std::string, ClientAnnotations>> ParseClientAnnotationsMap(
    absl::string_view json) {
  rapidjson::Document doc;
  if (absl::Status parsed = json::ParseFullPrecision(json, &doc); !parsed.ok()) return parsed;
  GoDecoder d;
  std::map<std::string, ClientAnnotations> out;
  d.Object(doc, [&](const JsonValue& key, const JsonValue& value) {
    // Go decodes each entry into a fresh value, so a repeated key takes the last one whole.
    std::string address(GoDecoder::Text(key));
    if (value.IsNull()) {  // A nil *ClientAnnotations.
      out.erase(address);
      return;
    }
    ClientAnnotations client;
    Decode(d, value, &client);
    out[std::move(address)] = std::move(client);
  });
  if (!d.ok()) return d.status();
  return out;
}

}  // namespace mlab::annotation
