#ifndef MLAB_SERVICES_NDT_SERVER_SPEC_H_
#define MLAB_SERVICES_NDT_SERVER_SPEC_H_

// Constants of the ndt7 protocol v0.11.0, as upstream's ndt7/spec/spec.go defines them.

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace mlab::ndt7 {

inline constexpr absl::string_view kDownloadPath = "/ndt/v7/download";
inline constexpr absl::string_view kUploadPath = "/ndt/v7/upload";
inline constexpr absl::string_view kSubprotocol = "net.measurementlab.ndt.v7";

// Largest message a client may send: the spec says a server MUST accept at least 1<<24.
inline constexpr size_t kMaxMessageSize = size_t{1} << 24;
// Largest binary message we send: ndt7-client-go fails on anything above 1 MiB.
inline constexpr size_t kMaxScaledMessageSize = size_t{1} << 20;
inline constexpr size_t kInitialMessageSize = size_t{1} << 13;
inline constexpr size_t kScalingFraction = 16;

inline constexpr absl::Duration kAveragePoissonSamplingInterval = absl::Milliseconds(250);
inline constexpr absl::Duration kMinPoissonSamplingInterval = absl::Milliseconds(25);
inline constexpr absl::Duration kMaxPoissonSamplingInterval = absl::Milliseconds(625);

inline constexpr absl::Duration kDefaultRuntime = absl::Seconds(10);
inline constexpr absl::Duration kMaxRuntime = absl::Seconds(15);

inline constexpr absl::string_view kEarlyExitParameterName = "early_exit";
inline constexpr absl::string_view kValidEarlyExitValue = "250";
// early_exit=250 ends a download once the kernel has 250 MB acknowledged.
inline constexpr int64_t kEarlyExitBytes = int64_t{250} * 1000 * 1000;

enum class Direction { kDownload, kUpload };

inline absl::string_view DirectionName(Direction d) {
  return d == Direction::kDownload ? "download" : "upload";
}

}  // namespace mlab::ndt7

#endif  // MLAB_SERVICES_NDT_SERVER_SPEC_H_
