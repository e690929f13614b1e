// Builds the annotation2 record of one flow: which end is this machine, the client's geo and
// network, and the server's site data, as upstream's geo, ASN and site annotators together do.
#ifndef MLAB_SERVICES_UUID_ANNOTATOR_FLOW_ANNOTATOR_H_
#define MLAB_SERVICES_UUID_ANNOTATOR_FLOW_ANNOTATOR_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lib/annotation/annotation.h"
#include "services/uuid-annotator/datasets.h"
#include "services/uuid-annotator/local_addresses.h"

namespace mlab::uuid_annotator {

struct FlowAnnotation {
  annotation::Annotations annotations;
  Direction direction = Direction::kUnknown;
  // The remote end's address as the event gave it ("" when the direction is unknown).
  std::string client_ip;
  // How many of upstream's three annotators would have returned an error
  // (uuid_annotator_annotation_errors_total): 3 for an unknown direction, 1 for a failed geo.
  int errors = 0;
};

class FlowAnnotator {
 public:
  // Both must outlive this object.
  FlowAnnotator(const DatasetStore* store, LocalAddresses* locals)
      : store_(store), locals_(locals) {}

  // `src_ip`/`dst_ip` as the event carries them (textual; either may fail to parse). When
  // neither end is local, Server and Client stay empty, as upstream writes them.
  FlowAnnotation Annotate(absl::string_view uuid, absl::Time timestamp, absl::string_view src_ip,
                          absl::string_view dst_ip) const;

 private:
  const DatasetStore* const store_;
  LocalAddresses* const locals_;
};

}  // namespace mlab::uuid_annotator

#endif  // MLAB_SERVICES_UUID_ANNOTATOR_FLOW_ANNOTATOR_H_
