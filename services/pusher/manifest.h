#ifndef MLAB_SERVICES_PUSHER_MANIFEST_H_
#define MLAB_SERVICES_PUSHER_MANIFEST_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mlab::pusher {

// What a file was when it was archived; a different identity at deletion time means the file
// changed (or was replaced) after it was read, so it is kept.
struct FileIdentity {
  uint64_t inode = 0;
  int64_t size = 0;
  int64_t mtime_ns = 0;

  friend bool operator==(const FileIdentity& a, const FileIdentity& b) {
    return a.inode == b.inode && a.size == b.size && a.mtime_ns == b.mtime_ns;
  }
};

struct ArchivedFile {
  std::string path;  // Relative to the datatype root.
  FileIdentity identity;
};

// The journal record of one sealed archive, written (and fsynced) before its first upload
// attempt, removed after its files are deleted. Enough to rebuild the archive byte for byte and
// to recognise it on the backend after a crash.
struct ArchiveManifest {
  std::string id;           // Journal key, fixed when sealed.
  std::string object_name;  // Changes only if the name turns out to hold other content.
  std::string subdir;
  std::string md5;  // Raw 16 bytes; empty for an archive with no members.
  uint32_t crc32c = 0;
  uint64_t size = 0;
  std::vector<ArchivedFile> members;
  std::vector<ArchivedFile> skipped;  // Sampled out: deleted after the upload, never archived.

  std::string Serialize() const;
  static absl::StatusOr<ArchiveManifest> Parse(absl::string_view text);
};

}  // namespace mlab::pusher

#endif  // MLAB_SERVICES_PUSHER_MANIFEST_H_
