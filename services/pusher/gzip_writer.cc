#include "services/pusher/gzip_writer.h"

#include "glog/logging.h"

namespace mlab::pusher {
namespace {
// Go's compress/flate DefaultCompression is level 6, like zlib's.
constexpr int kLevel = 6;
constexpr size_t kChunk = 64 * 1024;
}  // namespace

GzipWriter::GzipWriter(std::string* out) : out_(out) {
  // Raw deflate (negative window bits): the gzip header and trailer are written here, as Go does.
  CHECK_EQ(deflateInit2(&stream_, kLevel, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
  static constexpr char kHeader[10] = {'\x1f', '\x8b', '\x08', 0, 0, 0, 0, 0, 0, '\xff'};
  out_->append(kHeader, sizeof(kHeader));
  crc_ = crc32(0, nullptr, 0);
}

GzipWriter::~GzipWriter() { deflateEnd(&stream_); }

void GzipWriter::Deflate(absl::string_view data, int flush) {
  stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream_.avail_in = static_cast<uInt>(data.size());
  do {
    size_t before = out_->size();
    out_->resize(before + kChunk);
    stream_.next_out = reinterpret_cast<Bytef*>(&(*out_)[before]);
    stream_.avail_out = kChunk;
    int rc = deflate(&stream_, flush);
    CHECK(rc == Z_OK || rc == Z_BUF_ERROR || rc == Z_STREAM_END) << "deflate: " << rc;
    out_->resize(before + kChunk - stream_.avail_out);
  } while (stream_.avail_out == 0 || stream_.avail_in > 0);
}

void GzipWriter::Write(absl::string_view data) {
  CHECK(!closed_);
  // zlib's avail_in is 32 bits: feed very large inputs in pieces.
  while (!data.empty()) {
    absl::string_view piece = data.substr(0, 1u << 30);
    crc_ = crc32(crc_, reinterpret_cast<const Bytef*>(piece.data()), piece.size());
    length_ += static_cast<uint32_t>(piece.size());
    Deflate(piece, Z_NO_FLUSH);
    data.remove_prefix(piece.size());
  }
}

void GzipWriter::Flush() {
  CHECK(!closed_);
  Deflate({}, Z_SYNC_FLUSH);
}

void GzipWriter::Close() {
  if (closed_) return;
  Deflate({}, Z_FINISH);
  closed_ = true;
  char trailer[8];
  for (int i = 0; i < 4; ++i) trailer[i] = static_cast<char>(crc_ >> (8 * i));
  for (int i = 0; i < 4; ++i) trailer[4 + i] = static_cast<char>(length_ >> (8 * i));
  out_->append(trailer, sizeof(trailer));
}

}  // namespace mlab::pusher
