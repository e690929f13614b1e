#include "services/uuid-annotator/site_info.h"

#include <rapidjson/document.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/json/full_precision.h"

namespace mlab::uuid_annotator {
namespace {

using rapidjson::Value;

// Decodes JSON values into upstream's Go types with encoding/json's rules: null leaves a value
// unchanged, a value of the wrong type is an error (the first one is kept, decoding goes on).
class GoDecoder {
 public:
  const absl::Status& status() const { return status_; }

  void Fail(absl::string_view path, absl::string_view want) {
    if (status_.ok()) {
      status_ =
          absl::InvalidArgumentError(absl::StrCat("siteinfo: cannot decode ", path, " as ", want));
    }
  }

  void String(const Value& v, absl::string_view path, std::string* out) {
    if (v.IsNull()) return;
    if (!v.IsString()) return Fail(path, "string");
    out->assign(v.GetString(), v.GetStringLength());
  }

  void Bool(const Value& v, absl::string_view path, bool* out) {
    if (v.IsNull()) return;
    if (!v.IsBool()) return Fail(path, "bool");
    *out = v.GetBool();
  }

  void Int64(const Value& v, absl::string_view path, int64_t* out) {
    if (v.IsNull()) return;
    if (!v.IsInt64()) return Fail(path, "int64");
    *out = v.GetInt64();
  }

  void Uint32(const Value& v, absl::string_view path, uint32_t* out) {
    if (v.IsNull()) return;
    if (!v.IsUint()) return Fail(path, "uint32");
    *out = v.GetUint();
  }

  void Float64(const Value& v, absl::string_view path, double* out) {
    if (v.IsNull()) return;
    if (!v.IsNumber()) return Fail(path, "float64");
    *out = v.GetDouble();
  }

  // Calls fn(key, value) for each member of an object; false (after Fail) for another type.
  template <typename Fn>
  bool Object(const Value& v, absl::string_view path, Fn fn) {
    if (v.IsNull()) return false;
    if (!v.IsObject()) {
      Fail(path, "object");
      return false;
    }
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
      fn(absl::string_view(it->name.GetString(), it->name.GetStringLength()), it->value);
    }
    return true;
  }

  void Geo(const Value& v, absl::string_view path, std::optional<Geolocation>* out) {
    if (v.IsNull()) {
      out->reset();
      return;
    }
    if (!out->has_value()) out->emplace();
    Geolocation& g = **out;
    Object(v, path, [&](absl::string_view key, const Value& f) {
      const std::string p = absl::StrCat(path, ".", key);
      if (Is(key, "ContinentCode"))
        String(f, p, &g.continent_code);
      else if (Is(key, "CountryCode"))
        String(f, p, &g.country_code);
      else if (Is(key, "CountryCode3"))
        String(f, p, &g.country_code3);
      else if (Is(key, "CountryName"))
        String(f, p, &g.country_name);
      else if (Is(key, "Region"))
        String(f, p, &g.region);
      else if (Is(key, "Subdivision1ISOCode"))
        String(f, p, &g.subdivision1_iso_code);
      else if (Is(key, "Subdivision1Name"))
        String(f, p, &g.subdivision1_name);
      else if (Is(key, "Subdivision2ISOCode"))
        String(f, p, &g.subdivision2_iso_code);
      else if (Is(key, "Subdivision2Name"))
        String(f, p, &g.subdivision2_name);
      else if (Is(key, "MetroCode"))
        Int64(f, p, &g.metro_code);
      else if (Is(key, "City"))
        String(f, p, &g.city);
      else if (Is(key, "AreaCode"))
        Int64(f, p, &g.area_code);
      else if (Is(key, "PostalCode"))
        String(f, p, &g.postal_code);
      else if (Is(key, "Latitude"))
        Float64(f, p, &g.latitude);
      else if (Is(key, "Longitude"))
        Float64(f, p, &g.longitude);
      else if (Is(key, "AccuracyRadiusKm"))
        Int64(f, p, &g.accuracy_radius_km);
      else if (Is(key, "Missing"))
        Bool(f, p, &g.missing);
    });
  }

  void Systems(const Value& v, absl::string_view path, std::vector<System>* out) {
    if (v.IsNull()) {
      out->clear();
      return;
    }
    if (!v.IsArray()) return Fail(path, "array");
    out->assign(v.Size(), System());
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
      System& system = (*out)[i];
      system.asns_null = true;  // A System without "ASNs" keeps Go's nil slice.
      const std::string p = absl::StrCat(path, "[", i, "]");
      Object(v[i], p, [&](absl::string_view key, const Value& f) {
        if (!Is(key, "ASNs")) return;
        if (f.IsNull()) {
          system.asns.clear();
          system.asns_null = true;
          return;
        }
        if (!f.IsArray()) return Fail(p, "array");
        system.asns_null = false;
        system.asns.assign(f.Size(), 0);
        for (rapidjson::SizeType k = 0; k < f.Size(); ++k) Uint32(f[k], p, &system.asns[k]);
      });
    }
  }

  void Net(const Value& v, absl::string_view path, std::optional<Network>* out) {
    if (v.IsNull()) {
      out->reset();
      return;
    }
    if (!out->has_value()) out->emplace();
    Network& n = **out;
    Object(v, path, [&](absl::string_view key, const Value& f) {
      const std::string p = absl::StrCat(path, ".", key);
      if (Is(key, "CIDR"))
        String(f, p, &n.cidr);
      else if (Is(key, "ASNumber"))
        Uint32(f, p, &n.as_number);
      else if (Is(key, "ASName"))
        String(f, p, &n.as_name);
      else if (Is(key, "Missing"))
        Bool(f, p, &n.missing);
      else if (Is(key, "Systems"))
        Systems(f, p, &n.systems);
    });
  }

  void Server(const Value& v, absl::string_view path, ServerAnnotations* out) {
    Object(v, path, [&](absl::string_view key, const Value& f) {
      const std::string p = absl::StrCat(path, ".", key);
      if (Is(key, "Site"))
        String(f, p, &out->site);
      else if (Is(key, "Machine"))
        String(f, p, &out->machine);
      else if (Is(key, "Geo"))
        Geo(f, p, &out->geo);
      else if (Is(key, "Network"))
        Net(f, p, &out->network);
    });
  }

  // Go matches keys to field names exactly or, failing that, case-insensitively.
  static bool Is(absl::string_view key, absl::string_view field) {
    return absl::EqualsIgnoreCase(key, field);
  }

 private:
  absl::Status status_;
};

struct Entry {
  ServerAnnotations annotation;
  std::string ipv4;
  std::string ipv6;
  std::string type;
};

}  // namespace

absl::StatusOr<std::unique_ptr<SiteInfo>> SiteInfo::Parse(absl::string_view json,
                                                          absl::string_view hostname) {
  rapidjson::Document doc;
  if (absl::Status parsed = mlab::json::ParseFullPrecision(json, &doc); !parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("siteinfo: ", parsed.message()));
  }
  GoDecoder decoder;
  std::optional<Entry> mine;
  decoder.Object(doc, "siteinfo", [&](absl::string_view host, const Value& value) {
    // Every entry is decoded, as Go decodes the whole map: a bad one anywhere fails the load.
    Entry entry;
    const std::string path = absl::StrCat("\"", host, "\"");
    decoder.Object(value, path, [&](absl::string_view key, const Value& f) {
      const std::string p = absl::StrCat(path, ".", key);
      if (GoDecoder::Is(key, "Annotation")) {
        decoder.Server(f, p, &entry.annotation);
      } else if (GoDecoder::Is(key, "Network")) {
        decoder.Object(f, p, [&](absl::string_view k, const Value& n) {
          if (GoDecoder::Is(k, "IPv4"))
            decoder.String(n, p + ".IPv4", &entry.ipv4);
          else if (GoDecoder::Is(k, "IPv6"))
            decoder.String(n, p + ".IPv6", &entry.ipv6);
        });
      } else if (GoDecoder::Is(key, "Type")) {
        decoder.String(f, p, &entry.type);
      }
    });
    if (host == hostname) mine = std::move(entry);
  });
  if (!decoder.status().ok()) return decoder.status();
  if (!doc.IsObject() && !doc.IsNull())
    return absl::InvalidArgumentError("siteinfo: not an object");
  if (!mine) {
    return absl::NotFoundError(absl::StrCat("siteinfo: hostname \"", hostname, "\" not found"));
  }

  std::unique_ptr<SiteInfo> site(new SiteInfo());
  site->hostname_ = std::string(hostname);
  site->type_ = mine->type;
  site->annotation_ = std::move(mine->annotation);
  if (!mine->ipv4.empty()) {
    site->v4_ = ParseCidr(mine->ipv4);
    if (!site->v4_) {
      return absl::InvalidArgumentError(
          absl::StrCat("siteinfo: ", hostname, " Network.IPv4 is not a CIDR: ", mine->ipv4));
    }
  }
  if (!mine->ipv6.empty()) {
    site->v6_ = ParseCidr(mine->ipv6);
    if (!site->v6_) {
      return absl::InvalidArgumentError(
          absl::StrCat("siteinfo: ", hostname, " Network.IPv6 is not a CIDR: ", mine->ipv6));
    }
  }
  if (site->type_ == "virtual") {
    for (const std::optional<IpPrefix>& prefix : {site->v4_, site->v6_}) {
      if (!prefix) continue;
      // Compared like interface addresses: v4-mapped forms count as IPv4.
      std::optional<IpAddress> ip = IpAddress::Parse(prefix->network.ToString());
      if (ip) site->lb_addresses_.push_back(*ip);
    }
  }
  return site;
}

ServerAnnotations SiteInfo::Annotate(const IpAddress& server_ip) const {
  const std::optional<IpPrefix>& prefix = server_ip.is_v4() ? v4_ : v6_;
  if (!prefix) return ServerAnnotations();
  ServerAnnotations server = annotation_;
  if (!server.network) server.network.emplace();
  server.network->cidr = prefix->ToString();
  return server;
}

}  // namespace mlab::uuid_annotator
