#include "services/uuid-annotator/ip_annotator.h"

#include "services/uuid-annotator/annotator_metrics.h"

namespace mlab::uuid_annotator {
namespace {

using annotation::ClientAnnotations;
using annotation::Geolocation;
using annotation::Network;

// Cached metric children: these run for every address.
struct LookupCounters {
  mlab::metrics::Counter& geo_found = metrics::Lookups().WithLabels({"maxmind", "found"});
  mlab::metrics::Counter& geo_missing = metrics::Lookups().WithLabels({"maxmind", "missing"});
  mlab::metrics::Counter& geo_error = metrics::Lookups().WithLabels({"maxmind", "error"});
  mlab::metrics::Counter& net_found = metrics::Lookups().WithLabels({"routeview", "found"});
  mlab::metrics::Counter& net_missing = metrics::Lookups().WithLabels({"routeview", "missing"});
  mlab::metrics::Counter& v4_success = metrics::AsnSearches().WithLabels({"ipv4-success"});
  mlab::metrics::Counter& v6_success = metrics::AsnSearches().WithLabels({"ipv6-success"});
  mlab::metrics::Counter& missing = metrics::AsnSearches().WithLabels({"missing"});
};

LookupCounters& Counters() {
  static LookupCounters* counters = new LookupCounters();
  return *counters;
}

void Fill(const RouteViewsTable::Match& match, const AsNames* names, Network* network) {
  network->cidr = match.prefix.ToString();
  network->systems = *match.systems;
  if (!network->systems.empty() && !network->systems[0].asns.empty()) {
    network->as_number = network->systems[0].asns[0];
  }
  if (names != nullptr) network->as_name = names->Find(network->as_number);
}

}  // namespace

std::optional<Geolocation> AnnotateGeo(const Datasets& data, const std::optional<IpAddress>& ip) {
  LookupCounters& c = Counters();
  if (!ip) {
    c.geo_error.Increment();
    return std::nullopt;
  }
  if (data.geo == nullptr) {
    Geolocation missing;
    missing.missing = true;
    c.geo_missing.Increment();
    return missing;
  }
  absl::StatusOr<Geolocation> geo = data.geo->Lookup(*ip);
  if (!geo.ok()) {
    c.geo_error.Increment();
    return std::nullopt;
  }
  (geo->missing ? c.geo_missing : c.geo_found).Increment();
  return *std::move(geo);
}

Network AnnotateNetwork(const Datasets& data, const std::optional<IpAddress>& ip) {
  LookupCounters& c = Counters();
  Network network;
  const AsNames* names = data.as_names.get();
  if (ip) {
    if (data.routeview_v4 != nullptr) {
      if (auto match = data.routeview_v4->Lookup(*ip)) {
        Fill(*match, names, &network);
        c.v4_success.Increment();
        c.net_found.Increment();
        return network;
      }
    }
    if (data.routeview_v6 != nullptr) {
      if (auto match = data.routeview_v6->Lookup(*ip)) {
        Fill(*match, names, &network);
        c.v6_success.Increment();
        c.net_found.Increment();
        return network;
      }
    }
  }
  network.missing = true;
  c.missing.Increment();
  c.net_missing.Increment();
  return network;
}

ClientAnnotations AnnotateClient(const Datasets& data, const std::optional<IpAddress>& ip) {
  ClientAnnotations client;
  client.geo = AnnotateGeo(data, ip);
  client.network = AnnotateNetwork(data, ip);
  return client;
}

}  // namespace mlab::uuid_annotator
