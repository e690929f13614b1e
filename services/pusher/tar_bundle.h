#ifndef MLAB_SERVICES_PUSHER_TAR_BUNDLE_H_
#define MLAB_SERVICES_PUSHER_TAR_BUNDLE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "services/pusher/gzip_writer.h"

namespace mlab::pusher {

// An in-memory .tgz laid out byte for byte as upstream's Go archive/tar + compress/gzip writes
// it (see the pusher v1.16 archive in ETL's testdata): per member a PAX 'x' header named
// "<dir>/PaxHeaders.0/<file>" carrying the shared records (MLAB.datatype and -metadata, sorted),
// then a ustar header with mode 0666, uid/gid 0, empty owner names and the mtime rounded to
// whole seconds, the content padded to 512 bytes, and a gzip sync flush; no directory entries;
// two zero blocks at the end. Payloads that are already compressed are stored, not deflated
// (the deflate bytes never matched Go's anyway: zlib, not Go's flate). The same members in the
// same order give the same bytes, which is what lets a restarted pusher rebuild an archive
// exactly.
class TarBundle {
 public:
  using PaxRecords = std::map<std::string, std::string>;
  explicit TarBundle(PaxRecords pax_records);

  // Appends one regular file. `mtime_seconds` is the already-rounded modification time.
  void Add(absl::string_view name, int64_t mtime_seconds, absl::string_view content);

  // Compressed bytes so far (exact, because every Add ends with a flush).
  size_t compressed_size() const { return out_.size(); }
  int member_count() const { return members_; }
  // Uncompressed tar bytes so far.
  uint64_t tar_size() const { return tar_size_; }

  // Ends the tar and the gzip stream and returns the .tgz. Call once.
  std::string Finish();

  // One 512-byte ustar header as Go's archive/tar formats it (exposed for tests).
  static std::string HeaderBlock(absl::string_view name, char typeflag, int64_t mode, int64_t size,
                                 int64_t mtime, bool dev_numbers);
  // The PAX extended-header payload for these records ("%d key=value\n" each, sorted by key).
  static std::string PaxPayload(const std::map<std::string, std::string>& records);
  // Whether `content` starts like a gzip, zstd, xz, lz4 or bzip2 stream; Add stores such
  // payloads in the deflate stream instead of compressing them again.
  static bool AlreadyCompressed(absl::string_view content);
  // Go's rounding of a modification time to whole seconds (half up).
  static int64_t RoundToSeconds(int64_t seconds, int64_t nanos);

 private:
  void WriteTar(absl::string_view data);
  void Pad(uint64_t size);

  const std::map<std::string, std::string> records_;
  std::string out_;
  std::unique_ptr<GzipWriter> gzip_;
  int members_ = 0;
  uint64_t tar_size_ = 0;
  bool finished_ = false;
};

}  // namespace mlab::pusher

#endif  // MLAB_SERVICES_PUSHER_TAR_BUNDLE_H_
