#include "services/traceroute-caller/hop_annotation.h"

#include "absl/strings/str_cat.h"
#include "services/traceroute-caller/go_json.h"

namespace mlab::trc {
namespace {

// Appends `"Name":value` for a field Go marshals with omitempty, keeping track of commas.
class ObjectWriter {
 public:
  explicit ObjectWriter(std::string* out) : out_(out) { out_->push_back('{'); }
  void String(absl::string_view name, const std::string& value) {
    if (value.empty()) return;
    Key(name);
    AppendGoString(value, out_);
  }
  void Int(absl::string_view name, int64_t value) {
    if (value == 0) return;
    Key(name);
    AppendGoInt(value, out_);
  }
  void Float(absl::string_view name, double value) {
    if (value == 0) return;
    Key(name);
    AppendGoFloat(value, out_);
  }
  void Bool(absl::string_view name, bool value) {
    if (!value) return;
    Key(name);
    AppendGoBool(value, out_);
  }
  // Starts a member whose value the caller appends.
  void Key(absl::string_view name) {
    if (!first_) out_->push_back(',');
    first_ = false;
    AppendGoString(name, out_);
    out_->push_back(':');
  }
  void Close() { out_->push_back('}'); }

 private:
  std::string* out_;
  bool first_ = true;
};

void AppendGeo(const mlab::annotator::Geolocation& geo, std::string* out) {
  ObjectWriter w(out);
  w.String("ContinentCode", geo.continent_code());
  w.String("CountryCode", geo.country_code());
  w.String("CountryCode3", geo.country_code3());
  w.String("CountryName", geo.country_name());
  w.String("Region", geo.region());
  w.String("Subdivision1ISOCode", geo.subdivision1_iso_code());
  w.String("Subdivision1Name", geo.subdivision1_name());
  w.String("Subdivision2ISOCode", geo.subdivision2_iso_code());
  w.String("Subdivision2Name", geo.subdivision2_name());
  w.Int("MetroCode", geo.metro_code());
  w.String("City", geo.city());
  w.Int("AreaCode", geo.area_code());
  w.String("PostalCode", geo.postal_code());
  w.Float("Latitude", geo.latitude());
  w.Float("Longitude", geo.longitude());
  w.Int("AccuracyRadiusKm", geo.accuracy_radius_km());
  w.Bool("Missing", geo.missing());
  w.Close();
}

void AppendNetwork(const mlab::annotator::Network& network, std::string* out) {
  ObjectWriter w(out);
  w.String("CIDR", network.cidr());
  w.Int("ASNumber", network.as_number());
  w.String("ASName", network.as_name());
  w.Bool("Missing", network.missing());
  if (network.systems_size() > 0) {
    w.Key("Systems");
    out->push_back('[');
    for (int i = 0; i < network.systems_size(); ++i) {
      if (i > 0) out->push_back(',');
      const auto& asns = network.systems(i).asns();
      out->append("{\"ASNs\":");
      if (asns.empty()) {
        out->append("null");
      } else {
        out->push_back('[');
        for (int j = 0; j < asns.size(); ++j) {
          if (j > 0) out->push_back(',');
          AppendGoInt(asns[j], out);
        }
        out->push_back(']');
      }
      out->push_back('}');
    }
    out->push_back(']');
  }
  w.Close();
}

}  // namespace

std::string HopAnnotationID(absl::Time trace_start, absl::string_view hostname,
                            absl::string_view ip) {
  return absl::StrCat(absl::FormatTime("%Y%m%d", trace_start, absl::UTCTimeZone()), "_", hostname,
                      "_", ip);
}

std::string HopAnnotationFileName(absl::Time trace_start, absl::string_view hostname,
                                  absl::string_view ip) {
  return absl::StrCat(absl::FormatTime("%Y%m%dT%H%M%SZ", trace_start, absl::UTCTimeZone()), "_",
                      hostname, "_", ip, ".json");
}

std::string HopAnnotationJson(absl::string_view id, absl::Time trace_start,
                              const mlab::annotator::Annotation* annotation) {
  std::string out = "{\"ID\":";
  AppendGoString(id, &out);
  out.append(",\"Timestamp\":");
  AppendGoTime(trace_start, &out);
  out.append(",\"Annotations\":");
  if (annotation == nullptr) {
    out.append("null");
  } else {
    ObjectWriter w(&out);
    if (annotation->has_geo()) {
      w.Key("Geo");
      AppendGeo(annotation->geo(), &out);
    }
    if (annotation->has_network()) {
      w.Key("Network");
      AppendNetwork(annotation->network(), &out);
    }
    w.Close();
  }
  out.push_back('}');
  return out;
}

}  // namespace mlab::trc
