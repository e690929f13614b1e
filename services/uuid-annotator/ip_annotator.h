// Geo and network annotations of one address from a Datasets snapshot, as upstream's geo and ASN
// annotators make them: shared by annotation files, the gRPC service and the ipservice.
#ifndef MLAB_SERVICES_UUID_ANNOTATOR_IP_ANNOTATOR_H_
#define MLAB_SERVICES_UUID_ANNOTATOR_IP_ANNOTATOR_H_

#include <optional>

#include "lib/annotation/annotation.h"
#include "services/uuid-annotator/datasets.h"
#include "services/uuid-annotator/ip_address.h"

namespace mlab::uuid_annotator {

// MaxMind City: the record, {Missing: true} when none (or when no database is configured, as
// upstream without one), nullopt when the database cannot answer (upstream leaves Geo out).
std::optional<annotation::Geolocation> AnnotateGeo(const Datasets& data,
                                                   const std::optional<IpAddress>& ip);

// RouteViews: the longest prefix in the v4 table, else in the v6 table, with the first ASN, its
// name and every system; {Missing: true} when neither has the address (or it did not parse).
annotation::Network AnnotateNetwork(const Datasets& data, const std::optional<IpAddress>& ip);

// Both, as the ipservice and the gRPC service answer for one address.
annotation::ClientAnnotations AnnotateClient(const Datasets& data,
                                             const std::optional<IpAddress>& ip);

}  // namespace mlab::uuid_annotator

#endif  // MLAB_SERVICES_UUID_ANNOTATOR_IP_ANNOTATOR_H_
