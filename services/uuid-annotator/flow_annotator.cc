#include "services/uuid-annotator/flow_annotator.h"

#include <vector>

#include "services/uuid-annotator/ip_annotator.h"

namespace mlab::uuid_annotator {

using annotation::ClientAnnotations;

FlowAnnotation FlowAnnotator::Annotate(absl::string_view uuid, absl::Time timestamp,
                                       absl::string_view src_ip, absl::string_view dst_ip) const {
  FlowAnnotation result;
  result.annotations.uuid = std::string(uuid);
  result.annotations.timestamp = timestamp;

  const std::shared_ptr<const Datasets> data = store_->Get();
  static const std::vector<IpAddress>* const kNone = new std::vector<IpAddress>();
  const std::vector<IpAddress>& extra =
      data->site != nullptr ? data->site->load_balancer_addresses() : *kNone;
  const std::optional<IpAddress> src = IpAddress::Parse(src_ip);
  const std::optional<IpAddress> dst = IpAddress::Parse(dst_ip);
  result.direction = locals_->Find(src, dst, extra);
  if (result.direction == Direction::kUnknown) {
    result.errors = 3;
    return result;
  }
  const bool src_is_server = result.direction == Direction::kSrcIsServer;
  const std::optional<IpAddress>& server = src_is_server ? src : dst;
  const std::optional<IpAddress>& client = src_is_server ? dst : src;
  result.client_ip = std::string(src_is_server ? dst_ip : src_ip);

  ClientAnnotations& c = result.annotations.client;
  c.geo = AnnotateGeo(*data, client);
  if (!c.geo) result.errors = 1;
  c.network = AnnotateNetwork(*data, client);
  // The server end matched a local address, so it parsed.
  if (data->site != nullptr && server) result.annotations.server = data->site->Annotate(*server);
  return result;
}

}  // namespace mlab::uuid_annotator
