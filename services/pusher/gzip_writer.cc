#include "services/pusher/gzip_writer.h"

#include "glog/logging.h"

namespace mlab::pusher {
namespace {
constexpr size_t kChunk = 64 * 1024;
}  // namespace

GzipWriter::GzipWriter(std::string* out) : out_(out) {
  // Raw deflate (negative window bits): the gzip header and trailer are written here, as Go does.
  CHECK_EQ(deflateInit2(&stream_, kDefaultLevel, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
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

void GzipWriter::SetLevel(int level) {
  CHECK(!closed_);
  if (level == level_) return;
  // deflateParams first deflates pending input at the old level (a Z_BLOCK flush); zlib asks for
  // another call with more output space (Z_BUF_ERROR) until that is done.
  stream_.next_in = nullptr;
  stream_.avail_in = 0;
  int rc;
  do {
    size_t before = out_->size();
    out_->resize(before + kChunk);
    stream_.next_out = reinterpret_cast<Bytef*>(&(*out_)[before]);
    stream_.avail_out = kChunk;
    rc = deflateParams(&stream_, level, Z_DEFAULT_STRATEGY);
    out_->resize(before + kChunk - stream_.avail_out);
    CHECK(rc == Z_OK || rc == Z_BUF_ERROR) << "deflateParams: " << rc;
  } while (rc == Z_BUF_ERROR);
  level_ = level;
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
