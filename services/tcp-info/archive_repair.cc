#include "services/tcp-info/archive_repair.h"

#include <sys/stat.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "glog/logging.h"
#include "lib/fileio/files.h"
#include "services/tcp-info/archival_record.h"
#include "services/tcp-info/archive_file.h"
#include "services/tcp-info/archive_reader.h"
#include "services/tcp-info/zstd_decode.h"
#include "services/tcp-info/zstd_file_writer.h"

namespace mlab::tcpinfo {
namespace {

constexpr absl::string_view kHeaderStart = "{\"Timestamp\":\"0001-01-01T00:00:00Z\",\"Metadata\":";

bool Exists(const std::string& path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0;
}

enum class Outcome { kRepaired, kRenamed, kDiscarded };

absl::StatusOr<Outcome> Repair(const spool::SpoolDir& spool, const spool::StagedFile& staged,
                               uint64_t* lines) {
  const size_t slash = staged.relative_path.rfind('/');
  const std::string name = staged.relative_path.substr(slash + 1);
  absl::Time date;
  std::string error;
  if (slash == std::string::npos ||
      !absl::ParseTime("%Y/%m/%d", staged.relative_path.substr(0, slash), absl::UTCTimeZone(),
                       &date, &error)) {
    return absl::InvalidArgumentError(
        absl::StrCat("unexpected staged path ", staged.relative_path));
  }
  std::string uuid;
  int64_t sequence;
  if (!ArchiveFile::ParseName(name, &uuid, &sequence)) {
    return absl::InvalidArgumentError(absl::StrCat("not an archive name: ", name));
  }

  absl::StatusOr<std::string> compressed = fileio::ReadWholeFile(staged.staged_path);
  if (!compressed.ok()) return compressed.status();
  ZstdPrefix text = DecompressPrefix(*compressed);
  if (!text.complete) {
    LOG(INFO) << staged.staged_path << ": recovering " << text.data.size()
              << " bytes before: " << text.error;
  }
  // Whole lines only; a header alone records nothing.
  const size_t end = text.data.rfind('\n');
  std::string data = end == std::string::npos ? "" : text.data.substr(0, end + 1);
  const size_t first_end = data.find('\n');
  if (data.empty() || !absl::StartsWith(data, kHeaderStart) || first_end + 1 == data.size()) {
    return Outcome::kDiscarded;
  }

  Outcome outcome = Outcome::kRepaired;
  while (true) {
    absl::StatusOr<std::string> path = spool.FinalPath(date, ArchiveFile::Name(uuid, sequence));
    if (!path.ok()) return path.status();
    if (!Exists(*path)) break;
    ++sequence;
    outcome = Outcome::kRenamed;
  }
  if (outcome == Outcome::kRenamed) {
    absl::StatusOr<ArchiveLine> header = ParseArchiveLine(data.substr(0, first_end));
    if (!header.ok() || !header->metadata.has_value()) {
      return absl::DataLossError("unreadable header line");
    }
    std::string renumbered;
    AppendMetadataLine(header->metadata->uuid, sequence, header->metadata->start_time, &renumbered);
    data.replace(0, first_end, renumbered);
  }

  absl::StatusOr<std::unique_ptr<spool::SpoolFile>> file =
      spool.Create(date, ArchiveFile::Name(uuid, sequence));
  if (!file.ok()) return file.status();
  absl::StatusOr<std::unique_ptr<ZstdFileWriter>> writer = ZstdFileWriter::Create(*std::move(file));
  if (!writer.ok()) return writer.status();
  if (absl::Status written = (*writer)->Write(data); !written.ok()) return written;
  if (absl::Status finished = (*writer)->Finish(); !finished.ok()) return finished;
  for (char c : data) *lines += c == '\n';
  return outcome;
}

}  // namespace

absl::StatusOr<RepairReport> RepairLeftovers(const spool::SpoolDir& spool) {
  absl::StatusOr<std::vector<spool::StagedFile>> leftovers = spool.Leftovers();
  if (!leftovers.ok()) return leftovers.status();
  RepairReport report;
  for (const spool::StagedFile& staged : *leftovers) {
    absl::StatusOr<Outcome> outcome = Repair(spool, staged, &report.lines);
    if (!outcome.ok()) {
      ++report.failed;
      LOG(ERROR) << "cannot repair " << staged.staged_path << ": " << outcome.status()
                 << "; leaving it in place";
      continue;
    }
    switch (*outcome) {
      case Outcome::kRepaired:
        ++report.repaired;
        break;
      case Outcome::kRenamed:
        ++report.renamed;
        break;
      case Outcome::kDiscarded:
        ++report.discarded;
        break;
    }
    if (absl::Status dropped = spool.DiscardLeftover(staged); !dropped.ok()) {
      LOG(ERROR) << "cannot remove " << staged.staged_path << ": " << dropped;
    }
  }
  return report;
}

}  // namespace mlab::tcpinfo
