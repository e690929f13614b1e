#ifndef MLAB_SERVICES_TCP_INFO_ZSTD_FILE_WRITER_H_
#define MLAB_SERVICES_TCP_INFO_ZSTD_FILE_WRITER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/spool/spool_file.h"

struct ZSTD_CCtx_s;

namespace mlab::tcpinfo {

// Streams data through libzstd into a spool file: one frame (level 3, XXH64 checksum, no content
// size, like the zstd CLI upstream piped through), ended and committed by Finish().
//
// Compressed output goes to the file as it is produced; Flush() ends the current block so that
// everything written so far can be decoded from the file, e.g. after the process is killed. The
// window is kept small (32 KiB): archives are small and thousands can be open at once, so this
// bounds memory to about 0.3 MB per open file (3.6 MB at the CLI's defaults) for a ratio within
// a few percent of the default on upstream's sample archives.
class ZstdFileWriter {
 public:
  static absl::StatusOr<std::unique_ptr<ZstdFileWriter>> Create(
      std::unique_ptr<spool::SpoolFile> file);
  ~ZstdFileWriter();  // abandons the file unless Finish() succeeded

  ZstdFileWriter(const ZstdFileWriter&) = delete;
  ZstdFileWriter& operator=(const ZstdFileWriter&) = delete;

  absl::Status Write(absl::string_view data);
  absl::Status Flush();
  // Ends the frame and makes the file visible under its final name.
  absl::Status Finish();

  // True when data was written since the last Flush.
  bool dirty() const { return dirty_; }
  uint64_t uncompressed_bytes() const { return uncompressed_bytes_; }
  uint64_t compressed_bytes() const { return file_->bytes_written(); }
  const std::string& final_path() const { return file_->final_path(); }

 private:
  ZstdFileWriter(std::unique_ptr<spool::SpoolFile> file, ZSTD_CCtx_s* context);
  // Runs the compressor in `mode` (ZSTD_EndDirective) until `data` is consumed and, for flush
  // and end, until the compressor has nothing left.
  absl::Status Drive(absl::string_view data, int mode);

  std::unique_ptr<spool::SpoolFile> file_;
  ZSTD_CCtx_s* context_;
  bool dirty_ = false;
  bool finished_ = false;
  uint64_t uncompressed_bytes_ = 0;
};

}  // namespace mlab::tcpinfo

#endif  // MLAB_SERVICES_TCP_INFO_ZSTD_FILE_WRITER_H_
