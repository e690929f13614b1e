#include "services/uuid-annotator/site_info.h"

#include <optional>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/annotation/decode.h"
#include "lib/json/full_precision.h"
#include "lib/json/go_decoder.h"
#include "rapidjson/document.h"

namespace mlab::uuid_annotator {
namespace {

using annotation::ServerAnnotations;
using json::GoDecoder;
using json::JsonValue;

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
  decoder.Object(doc, [&](const JsonValue& host, const JsonValue& value) {
    // Every entry is decoded, as Go decodes the whole map: a bad one anywhere fails the load.
    Entry entry;
    decoder.Object(value, [&](const JsonValue& key, const JsonValue& f) {
      if (GoDecoder::KeyIs(key, "Annotation")) {
        annotation::Decode(decoder, f, &entry.annotation);
      } else if (GoDecoder::KeyIs(key, "Network")) {
        decoder.Object(f, [&](const JsonValue& k, const JsonValue& n) {
          if (GoDecoder::KeyIs(k, "IPv4")) {
            decoder.String(n, &entry.ipv4);
          } else if (GoDecoder::KeyIs(k, "IPv6")) {
            decoder.String(n, &entry.ipv6);
          }
        });
      } else if (GoDecoder::KeyIs(key, "Type")) {
        decoder.String(f, &entry.type);
      }
    });
    if (GoDecoder::Text(host) == hostname) mine = std::move(entry);
  });
  if (!decoder.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("siteinfo: ", decoder.status().message()));
  }
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
