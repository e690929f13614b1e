// Unpacking dataset downloads: gzip (RouteViews) and tar/tar.gz/zip members (MaxMind).
#ifndef MLAB_SERVICES_UUID_ANNOTATOR_ARCHIVE_READER_H_
#define MLAB_SERVICES_UUID_ANNOTATOR_ARCHIVE_READER_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mlab::uuid_annotator {

// Datasets are at most a few hundred MB; anything bigger is a broken or hostile source.
inline constexpr size_t kMaxDatasetBytes = size_t{2} << 30;

bool IsGzip(absl::string_view data);

// Decompresses gzip data, including concatenated members (as Go's gzip.Reader does).
// InvalidArgument for data that is not gzip, truncated or corrupt.
absl::StatusOr<std::string> Gunzip(absl::string_view data, size_t max_bytes = kMaxDatasetBytes);

// The content of the first member whose name ends with `suffix`, in a tar (plain or compressed)
// or zip archive. InvalidArgument when `data` is not such an archive, NotFound when no member
// matches.
absl::StatusOr<std::string> ExtractMember(absl::string_view data, absl::string_view suffix,
                                          size_t max_bytes = kMaxDatasetBytes);

}  // namespace mlab::uuid_annotator

#endif  // MLAB_SERVICES_UUID_ANNOTATOR_ARCHIVE_READER_H_
