#ifndef MLAB_SERVICES_TCP_INFO_LEGACY_EVENT_H_
#define MLAB_SERVICES_TCP_INFO_LEGACY_EVENT_H_

// Upstream's JSON-lines event protocol (m-lab/tcp-info eventsocket), byte for byte, so upstream
// Go sidecars can read our events:
//   {"Event":0,"Timestamp":"…","UUID":"…","ID":{"SPort":…,"DPort":…,"SrcIP":"…","DstIP":"…",
//    "Interface":…,"Cookie":…}}
//   {"Event":1,"Timestamp":"…","UUID":"…","ID":null}

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/tcp-info/sock_id.h"

namespace mlab::tcpinfo {

// The Open line, newline included. Reproduces upstream's renderings: addresses by content
// (v4-mapped as dotted quad), Interface read big-endian from the host-order field, Cookie as a
// signed 64-bit number.
std::string LegacyOpenLine(absl::Time timestamp, absl::string_view uuid, const SockId& id);

// The Close line, newline included; ID is always null, as upstream sends it.
std::string LegacyCloseLine(absl::Time timestamp, absl::string_view uuid);

}  // namespace mlab::tcpinfo

#endif  // MLAB_SERVICES_TCP_INFO_LEGACY_EVENT_H_
