// The annotation2 record (upstream's annotator.Annotations) and its exact JSON form: Go field
// names as keys in declaration order, omitempty applied, Go's escaping and number formatting.
#ifndef MLAB_LIB_ANNOTATION_ANNOTATION_H_
#define MLAB_LIB_ANNOTATION_ANNOTATION_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "lib/json/go_writer.h"

namespace mlab::annotation {

// Every field is omitted from JSON when zero, so Latitude 0.0 disappears as in upstream.
struct Geolocation {
  std::string continent_code;
  std::string country_code;
  std::string country_code3;  // Geo1; never filled from MaxMind.
  std::string country_name;
  std::string region;  // Geo1; never filled from MaxMind.
  std::string subdivision1_iso_code;
  std::string subdivision1_name;
  std::string subdivision2_iso_code;
  std::string subdivision2_name;
  int64_t metro_code = 0;
  std::string city;
  int64_t area_code = 0;  // Geo1; never filled from MaxMind.
  std::string postal_code;
  double latitude = 0;
  double longitude = 0;
  int64_t accuracy_radius_km = 0;
  // No record for the address.
  bool missing = false;

  friend bool operator==(const Geolocation& a, const Geolocation& b);
};

// One origin system: a single ASN, or the ASNs of an AS set.
struct System {
  std::vector<uint32_t> asns;
  // Go writes a nil slice as null; only siteinfo can hold one ("ASNs":null or no ASNs key).
  bool asns_null = false;

  friend bool operator==(const System& a, const System& b) {
    return a.asns == b.asns && a.asns_null == b.asns_null;
  }
};

struct Network {
  std::string cidr;
  uint32_t as_number = 0;
  std::string as_name;
  bool missing = false;
  std::vector<System> systems;  // Omitted when empty.

  friend bool operator==(const Network& a, const Network& b) {
    return a.cidr == b.cidr && a.as_number == b.as_number && a.as_name == b.as_name &&
           a.missing == b.missing && a.systems == b.systems;
  }
};

// Upstream's ClientAnnotations; an absent member is omitted (a nil pointer in Go).
struct ClientAnnotations {
  std::optional<Geolocation> geo;
  std::optional<Network> network;
};

struct ServerAnnotations {
  std::string site;
  std::string machine;
  std::optional<Geolocation> geo;
  std::optional<Network> network;
};

// One <UUID>.json file.
struct Annotations {
  std::string uuid;
  absl::Time timestamp;
  ServerAnnotations server;  // Always written, possibly {}.
  ClientAnnotations client;  // Always written, possibly {}.
};

// `client` as the next value of `w` (a member of a record that embeds it).
void Write(const ClientAnnotations& client, json::GoJsonWriter* w);

void AppendJson(const Geolocation& geo, std::string* out);
void AppendJson(const Network& network, std::string* out);
void AppendJson(const ClientAnnotations& client, std::string* out);
void AppendJson(const ServerAnnotations& server, std::string* out);

// The annotation2 file content, compact as upstream writes it (no trailing newline).
std::string ToJson(const Annotations& annotations);

// The ipservice answer: a JSON object keyed by each query string, sorted as Go sorts map keys.
std::string ToJson(const std::map<std::string, ClientAnnotations>& answers);

}  // namespace mlab::annotation

#endif  // MLAB_LIB_ANNOTATION_ANNOTATION_H_
