#ifndef MLAB_TOOLS_UUID_JOIN_JOINER_H_
#define MLAB_TOOLS_UUID_JOIN_JOINER_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "tools/uuid-join/test_record.h"

namespace mlab::uuidjoin {

// Reads archive files of every datatype and joins them by socket UUID.
class Joiner {
 public:
  // Adds one file; the datatype comes from its path (the spool or bucket layout, or the archive
  // name) and its suffix. A malformed file is counted and reported, never fatal.
  absl::Status Add(const std::string& path, const std::string& contents);

  // One JSON document for a test: ndt7, tcpinfo, pcap, client annotation and traceroute hops
  // (each hop with its annotation where one was found), plus which parts are missing.
  std::string ToJson(const TestRecord& record) const;

  const std::map<std::string, TestRecord>& records() const { return records_; }
  int files_read() const { return files_read_; }
  int files_failed() const { return files_failed_; }

  // The parts a complete test has; ToJson lists the missing ones.
  static std::vector<std::string> MissingParts(const TestRecord& record);

 private:
  TestRecord& Record(const std::string& uuid);
  absl::Status AddNdt7(const std::string& path, const std::string& contents);
  absl::Status AddTcpInfo(const std::string& path, const std::string& contents);
  absl::Status AddPcap(const std::string& path, const std::string& contents);
  absl::Status AddAnnotation(const std::string& contents);
  absl::Status AddHopAnnotation(const std::string& contents);
  absl::Status AddTrace(const std::string& contents);

  std::map<std::string, TestRecord> records_;
  std::map<std::string, HopAnnotation> hop_annotations_;
  int files_read_ = 0;
  int files_failed_ = 0;
};

}  // namespace mlab::uuidjoin

#endif  // MLAB_TOOLS_UUID_JOIN_JOINER_H_
