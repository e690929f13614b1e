#ifndef MLAB_SERVICES_PUSHER_GZIP_WRITER_H_
#define MLAB_SERVICES_PUSHER_GZIP_WRITER_H_

#include <zlib.h>

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace mlab::pusher {

// A gzip stream appended to a string, shaped like Go's compress/gzip at its default level: a
// 10-byte header with mtime 0, no name and OS byte 255, one deflate member, and a sync-flush
// block wherever Flush() is called (upstream flushes after every archived file).
class GzipWriter {
 public:
  // Go's compress/flate DefaultCompression is level 6, like zlib's.
  static constexpr int kDefaultLevel = 6;

  explicit GzipWriter(std::string* out);
  ~GzipWriter();
  GzipWriter(const GzipWriter&) = delete;
  GzipWriter& operator=(const GzipWriter&) = delete;

  void Write(absl::string_view data);
  // Compression level for what is written from now on (0 = stored, kDefaultLevel = Go's); what
  // was written before keeps the old level. Deterministic, so the same calls give the same bytes.
  void SetLevel(int level);
  // Emits everything written so far (a sync-flush marker), so out->size() is accurate.
  void Flush();
  // Ends the stream with the CRC-32 and length trailer; no writes after this.
  void Close();

 private:
  void Deflate(absl::string_view data, int flush);

  std::string* out_;
  z_stream stream_{};
  int level_ = kDefaultLevel;
  uint32_t crc_ = 0;
  uint32_t length_ = 0;  // Input size mod 2^32, as gzip records it.
  bool closed_ = false;
};

}  // namespace mlab::pusher

#endif  // MLAB_SERVICES_PUSHER_GZIP_WRITER_H_
