#include "services/traceroute-caller/hop_annotation.h"

#include "absl/strings/str_cat.h"
#include "lib/json/go_writer.h"

namespace mlab::trc {
namespace {

using json::GoJsonWriter;

void WriteGeo(const mlab::annotator::Geolocation& geo, GoJsonWriter* w) {
  w->BeginObject();
  w->FieldOmitEmpty("ContinentCode", geo.continent_code());
  w->FieldOmitEmpty("CountryCode", geo.country_code());
  w->FieldOmitEmpty("CountryCode3", geo.country_code3());
  w->FieldOmitEmpty("CountryName", geo.country_name());
  w->FieldOmitEmpty("Region", geo.region());
  w->FieldOmitEmpty("Subdivision1ISOCode", geo.subdivision1_iso_code());
  w->FieldOmitEmpty("Subdivision1Name", geo.subdivision1_name());
  w->FieldOmitEmpty("Subdivision2ISOCode", geo.subdivision2_iso_code());
  w->FieldOmitEmpty("Subdivision2Name", geo.subdivision2_name());
  w->FieldIntOmitEmpty("MetroCode", geo.metro_code());
  w->FieldOmitEmpty("City", geo.city());
  w->FieldIntOmitEmpty("AreaCode", geo.area_code());
  w->FieldOmitEmpty("PostalCode", geo.postal_code());
  w->FieldDoubleOmitEmpty("Latitude", geo.latitude());
  w->FieldDoubleOmitEmpty("Longitude", geo.longitude());
  w->FieldIntOmitEmpty("AccuracyRadiusKm", geo.accuracy_radius_km());
  w->FieldBoolOmitEmpty("Missing", geo.missing());
  w->EndObject();
}

void WriteNetwork(const mlab::annotator::Network& network, GoJsonWriter* w) {
  w->BeginObject();
  w->FieldOmitEmpty("CIDR", network.cidr());
  w->FieldIntOmitEmpty("ASNumber", network.as_number());
  w->FieldOmitEmpty("ASName", network.as_name());
  w->FieldBoolOmitEmpty("Missing", network.missing());
  if (network.systems_size() > 0) {
    w->Key("Systems");
    w->BeginArray();
    for (const mlab::annotator::System& system : network.systems()) {
      w->BeginObject();
      w->Key("ASNs");
      if (system.asns().empty()) {
        w->Null();
      } else {
        w->BeginArray();
        for (const uint32_t asn : system.asns()) w->Int(asn);
        w->EndArray();
      }
      w->EndObject();
    }
    w->EndArray();
  }
  w->EndObject();
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
  std::string out;
  GoJsonWriter w(&out);
  w.BeginObject();
  w.Field("ID", id);
  w.Key("Timestamp");
  w.Time(trace_start);
  w.Key("Annotations");
  if (annotation == nullptr) {
    w.Null();
  } else {
    w.BeginObject();
    if (annotation->has_geo()) {
      w.Key("Geo");
      WriteGeo(annotation->geo(), &w);
    }
    if (annotation->has_network()) {
      w.Key("Network");
      WriteNetwork(annotation->network(), &w);
    }
    w.EndObject();
  }
  w.EndObject();
  return out;
}

}  // namespace mlab::trc
