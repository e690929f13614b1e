// Fuzz target: a journal record as pusher reads it back after a crash (the journal directory may
// hold torn or corrupted files). Whatever parses must serialize to a record that parses to the
// same manifest.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/pusher/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mlab::pusher;
  absl::StatusOr<ArchiveManifest> manifest =
      ArchiveManifest::Parse(absl::string_view(reinterpret_cast<const char*>(data), size));
  if (!manifest.ok()) return 0;
  const std::string text = manifest->Serialize();
  absl::StatusOr<ArchiveManifest> again = ArchiveManifest::Parse(text);
  if (!again.ok() || again->Serialize() != text) __builtin_trap();
  return 0;
}
