#ifndef MLAB_SERVICES_TCP_INFO_ARCHIVE_FILE_H_
#define MLAB_SERVICES_TCP_INFO_ARCHIVE_FILE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lib/spool/spool_dir.h"
#include "services/tcp-info/zstd_file_writer.h"

namespace mlab::tcpinfo {

// One archive file of one flow, `<datadir>/YYYY/MM/DD/<UUID>.<seq %05d>.jsonl.zst`: the Metadata
// header line, then one line per archived snapshot. Invisible until Finish().
class ArchiveFile {
 public:
  // `<uuid>.<sequence as %05d>.jsonl.zst`.
  static std::string Name(absl::string_view uuid, int64_t sequence);

  // Parses a Name() back; false for anything else.
  static bool ParseName(absl::string_view name, std::string* uuid, int64_t* sequence);

  // Starts the file dated `date` and writes its header line.
  static absl::StatusOr<std::unique_ptr<ArchiveFile>> Create(const spool::SpoolDir& spool,
                                                             absl::Time date,
                                                             absl::string_view uuid,
                                                             int64_t sequence,
                                                             absl::Time start_time);

  // Appends `line` and a newline.
  absl::Status AppendLine(absl::string_view line);
  // Makes everything appended so far decodable from the staged file.
  absl::Status Flush() { return writer_->Flush(); }
  // Completes the zstd frame and commits the file.
  absl::Status Finish() { return writer_->Finish(); }

  bool dirty() const { return writer_->dirty(); }
  int64_t sequence() const { return sequence_; }
  uint64_t lines() const { return lines_; }
  uint64_t compressed_bytes() const { return writer_->compressed_bytes(); }
  const std::string& final_path() const { return writer_->final_path(); }

 private:
  ArchiveFile(std::unique_ptr<ZstdFileWriter> writer, int64_t sequence)
      : writer_(std::move(writer)), sequence_(sequence) {}

  std::unique_ptr<ZstdFileWriter> writer_;
  int64_t sequence_;
  uint64_t lines_ = 0;
  std::string line_buffer_;
};

}  // namespace mlab::tcpinfo

#endif  // MLAB_SERVICES_TCP_INFO_ARCHIVE_FILE_H_
