// uuid-join reads M-Lab archives (a spool tree, a directory of uploaded pusher archives, or .tgz
// files) and writes one JSON document per test UUID joining what every service recorded: the ndt7
// summary, the tcp-info time series summary, pcap statistics, client geo and AS, and the
// traceroute hops with their annotations.

#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <system_error>
#include <vector>

#include "glog/logging.h"
#include "lib/flags/flags.h"
#include "tools/uuid-join/archive_source.h"
#include "tools/uuid-join/joiner.h"

namespace {

mlab::flags::Flag<std::string> FLAGS_output(
    "output", "", "Directory for one <UUID>.json per test; empty writes JSON lines to stdout.");
mlab::flags::Flag<bool> FLAGS_require_complete(
    "require-complete", false,
    "Exit 1 unless every UUID has ndt7, tcpinfo, pcap, annotation2 and traceroute data.");

// M-Lab UUIDs are <prefix>_<cookie>: letters, digits, '_', '-', '.'; never a dot file or a path.
bool IsSafeFileName(const std::string& uuid) {
  if (uuid.empty() || uuid.size() > 200 || uuid[0] == '.') return false;
  for (char c : uuid) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') {
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  google::InitGoogleLogging(argv[0]);
  FLAGS_logtostderr = true;
  std::vector<std::string> paths = mlab::flags::ParseOrExit(
      argc, argv,
      "uuid-join [flags] PATH...\n\nJoins M-Lab archives by socket UUID. PATH is a spool or upload "
      "tree, a pusher .tgz archive, or a data file.");
  if (paths.empty()) {
    std::cerr << "uuid-join: give at least one PATH (see -help)\n";
    return 2;
  }
  mlab::uuidjoin::Joiner joiner;
  bool read_errors = false;
  for (const std::string& path : paths) {
    absl::Status visited =
        mlab::uuidjoin::VisitFiles(path, [&](const std::string& file, const std::string& contents) {
          if (absl::Status added = joiner.Add(file, contents); !added.ok()) {
            LOG(WARNING) << "skipped " << added;
          }
        });
    if (!visited.ok()) {
      LOG(ERROR) << visited;
      read_errors = true;
    }
  }
  if (!FLAGS_output->empty()) {
    std::error_code error;
    std::filesystem::create_directories(*FLAGS_output, error);
    if (error) {
      LOG(ERROR) << "cannot create " << *FLAGS_output << ": " << error.message();
      return 1;
    }
  }
  int incomplete = 0;
  for (const auto& [uuid, record] : joiner.records()) {
    if (!mlab::uuidjoin::Joiner::MissingParts(record).empty()) ++incomplete;
    std::string json = joiner.ToJson(record);
    if (FLAGS_output->empty()) {
      std::cout << json << "\n";
      continue;
    }
    if (!IsSafeFileName(uuid)) {  // a UUID comes from the archives: never a path
      LOG(ERROR) << "UUID " << uuid << " cannot name a file; skipped";
      read_errors = true;
      continue;
    }
    std::ofstream out(*FLAGS_output + "/" + uuid + ".json");
    out << json << "\n";
    if (!out) {
      LOG(ERROR) << "cannot write " << *FLAGS_output << "/" << uuid << ".json";
      read_errors = true;
    }
  }
  LOG(INFO) << "uuid-join: " << joiner.files_read() << " files, " << joiner.files_failed()
            << " unreadable, " << joiner.records().size() << " UUIDs, " << incomplete
            << " incomplete";
  if (read_errors) return 1;
  if (*FLAGS_require_complete && incomplete > 0) return 1;
  return 0;
}
