#ifndef MLAB_SERVICES_PACKET_HEADERS_PCAP_GZ_WRITER_H_
#define MLAB_SERVICES_PACKET_HEADERS_PCAP_GZ_WRITER_H_

#include <zlib.h>

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace mlab::packet_headers {

// Compresses a pcap stream into a single gzip member with the header Go's compress/gzip writes
// (no name, mtime 0, XFL 0, OS 255: `1f8b 0800 0000 0000 00ff`). Level 6 is Go's default, what
// upstream's archives have; levels 2-8 all give that header (zlib marks 1 and 9 in XFL). Output
// is appended to a caller's string so it can go to memory or a file. Not thread-safe; one per
// flow.
class PcapGzWriter {
 public:
  // What zlib allocates for one deflate stream at level 6 with a 32 KiB window (for accounting).
  static constexpr size_t kStateBytes = (size_t{1} << 17) + (size_t{1} << 17) + 6 * 1024;

  static constexpr int kDefaultLevel = 6;

  explicit PcapGzWriter(int level = kDefaultLevel) : level_(level) {}
  ~PcapGzWriter();
  PcapGzWriter(const PcapGzWriter&) = delete;
  PcapGzWriter& operator=(const PcapGzWriter&) = delete;

  // Compresses `data`, appending whatever deflate emits to `*out`. Starts the stream on first use.
  absl::Status Write(absl::string_view data, std::string* out);

  // Ends the member (CRC-32 and size trailer) and frees the deflate state.
  absl::Status Finish(std::string* out);

  bool started() const { return started_; }
  size_t bytes_in() const { return bytes_in_; }

 private:
  absl::Status Start();
  absl::Status Deflate(absl::string_view data, int flush, std::string* out);

  const int level_;
  z_stream stream_{};
  gz_header header_{};
  bool started_ = false;
  bool finished_ = false;
  size_t bytes_in_ = 0;
};

}  // namespace mlab::packet_headers

#endif  // MLAB_SERVICES_PACKET_HEADERS_PCAP_GZ_WRITER_H_
