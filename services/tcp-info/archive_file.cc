#include "services/tcp-info/archive_file.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "services/tcp-info/archival_record.h"

namespace mlab::tcpinfo {
namespace {

constexpr absl::string_view kSuffix = ".jsonl.zst";

}  // namespace

std::string ArchiveFile::Name(absl::string_view uuid, int64_t sequence) {
  return absl::StrFormat("%s.%05d%s", uuid, sequence, kSuffix);
}

bool ArchiveFile::ParseName(absl::string_view name, std::string* uuid, int64_t* sequence) {
  if (!absl::ConsumeSuffix(&name, kSuffix)) return false;
  const size_t dot = name.rfind('.');
  if (dot == absl::string_view::npos || dot == 0) return false;
  absl::string_view digits = name.substr(dot + 1);
  if (digits.size() < 5 || !absl::SimpleAtoi(digits, sequence) || *sequence < 0) return false;
  *uuid = std::string(name.substr(0, dot));
  return true;
}

absl::StatusOr<std::unique_ptr<ArchiveFile>> ArchiveFile::Create(const spool::SpoolDir& spool,
                                                                 absl::Time date,
                                                                 absl::string_view uuid,
                                                                 int64_t sequence,
                                                                 absl::Time start_time) {
  absl::StatusOr<std::unique_ptr<spool::SpoolFile>> file = spool.Create(date, Name(uuid, sequence));
  if (!file.ok()) return file.status();
  absl::StatusOr<std::unique_ptr<ZstdFileWriter>> writer = ZstdFileWriter::Create(*std::move(file));
  if (!writer.ok()) return writer.status();
  std::unique_ptr<ArchiveFile> archive(new ArchiveFile(*std::move(writer), sequence));
  std::string header;
  AppendMetadataLine(uuid, sequence, start_time, &header);
  if (absl::Status written = archive->writer_->Write(header + "\n"); !written.ok()) {
    return written;
  }
  return archive;
}

absl::Status ArchiveFile::AppendLine(absl::string_view line) {
  line_buffer_.assign(line.data(), line.size());
  line_buffer_.push_back('\n');
  ++lines_;
  return writer_->Write(line_buffer_);
}

}  // namespace mlab::tcpinfo
