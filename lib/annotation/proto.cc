#include "lib/annotation/proto.h"

#include <utility>

namespace mlab::annotation {
namespace {

void ToProto(Geolocation&& g, mlab::annotator::Geolocation* p) {
  p->set_continent_code(std::move(g.continent_code));
  p->set_country_code(std::move(g.country_code));
  p->set_country_code3(std::move(g.country_code3));
  p->set_country_name(std::move(g.country_name));
  p->set_region(std::move(g.region));
  p->set_subdivision1_iso_code(std::move(g.subdivision1_iso_code));
  p->set_subdivision1_name(std::move(g.subdivision1_name));
  p->set_subdivision2_iso_code(std::move(g.subdivision2_iso_code));
  p->set_subdivision2_name(std::move(g.subdivision2_name));
  p->set_metro_code(g.metro_code);
  p->set_city(std::move(g.city));
  p->set_area_code(g.area_code);
  p->set_postal_code(std::move(g.postal_code));
  p->set_latitude(g.latitude);
  p->set_longitude(g.longitude);
  p->set_accuracy_radius_km(g.accuracy_radius_km);
  p->set_missing(g.missing);
}

void ToProto(Network&& n, mlab::annotator::Network* p) {
  p->set_cidr(std::move(n.cidr));
  p->set_as_number(n.as_number);
  p->set_as_name(std::move(n.as_name));
  p->set_missing(n.missing);
  p->mutable_systems()->Reserve(static_cast<int>(n.systems.size()));
  for (const System& s : n.systems) {
    p->add_systems()->mutable_asns()->Add(s.asns.begin(), s.asns.end());
  }
}

Geolocation FromProto(const mlab::annotator::Geolocation& p) {
  Geolocation g;
  g.continent_code = p.continent_code();
  g.country_code = p.country_code();
  g.country_code3 = p.country_code3();
  g.country_name = p.country_name();
  g.region = p.region();
  g.subdivision1_iso_code = p.subdivision1_iso_code();
  g.subdivision1_name = p.subdivision1_name();
  g.subdivision2_iso_code = p.subdivision2_iso_code();
  g.subdivision2_name = p.subdivision2_name();
  g.metro_code = p.metro_code();
  g.city = p.city();
  g.area_code = p.area_code();
  g.postal_code = p.postal_code();
  g.latitude = p.latitude();
  g.longitude = p.longitude();
  g.accuracy_radius_km = p.accuracy_radius_km();
  g.missing = p.missing();
  return g;
}

Network FromProto(const mlab::annotator::Network& p) {
  Network n;
  n.cidr = p.cidr();
  n.as_number = p.as_number();
  n.as_name = p.as_name();
  n.missing = p.missing();
  n.systems.reserve(p.systems_size());
  for (const mlab::annotator::System& s : p.systems()) {
    System& system = n.systems.emplace_back();
    system.asns.assign(s.asns().begin(), s.asns().end());
    system.asns_null = system.asns.empty();
  }
  return n;
}

}  // namespace

void ToProto(ClientAnnotations&& client, mlab::annotator::Annotation* out) {
  if (client.geo) ToProto(std::move(*client.geo), out->mutable_geo());
  if (client.network) ToProto(std::move(*client.network), out->mutable_network());
}

mlab::annotator::Annotation ToProto(const ClientAnnotations& client) {
  mlab::annotator::Annotation out;
  ToProto(ClientAnnotations(client), &out);
  return out;
}

ClientAnnotations FromProto(const mlab::annotator::Annotation& annotation) {
  ClientAnnotations client;
  if (annotation.has_geo()) client.geo = FromProto(annotation.geo());
  if (annotation.has_network()) client.network = FromProto(annotation.network());
  return client;
}

}  // namespace mlab::annotation
