#include "services/packet-headers/pcap_gz_writer.h"

#include "absl/strings/str_cat.h"

namespace mlab::packet_headers {

PcapGzWriter::~PcapGzWriter() {
  if (started_ && !finished_) deflateEnd(&stream_);
}

absl::Status PcapGzWriter::Start() {
  // windowBits 15 + 16 selects the gzip wrapper; memLevel 8 is zlib's (and Go's) default.
  if (deflateInit2(&stream_, level_, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return absl::ResourceExhaustedError("deflateInit2 failed");
  }
  header_.time = 0;
  header_.os = 255;  // "unknown", what Go writes; zlib would say 3 (Unix)
  if (deflateSetHeader(&stream_, &header_) != Z_OK) {
    deflateEnd(&stream_);
    return absl::InternalError("deflateSetHeader failed");
  }
  started_ = true;
  return absl::OkStatus();
}

absl::Status PcapGzWriter::Deflate(absl::string_view data, int flush, std::string* out) {
  stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream_.avail_in = static_cast<uInt>(data.size());
  // Output goes through a fixed scratch buffer so `out` grows only by what was produced.
  Bytef scratch[16 * 1024];
  while (true) {
    stream_.next_out = scratch;
    stream_.avail_out = sizeof(scratch);
    const int rc = deflate(&stream_, flush);
    out->append(reinterpret_cast<const char*>(scratch), sizeof(scratch) - stream_.avail_out);
    if (rc == Z_STREAM_END) return absl::OkStatus();
    if (rc != Z_OK && rc != Z_BUF_ERROR) return absl::InternalError(absl::StrCat("deflate: ", rc));
    // Done when deflate took all input and had output room to spare.
    if (flush == Z_NO_FLUSH && stream_.avail_in == 0 && stream_.avail_out != 0) {
      return absl::OkStatus();
    }
  }
}

absl::Status PcapGzWriter::Write(absl::string_view data, std::string* out) {
  if (finished_) return absl::FailedPreconditionError("write after Finish");
  if (!started_) {
    if (absl::Status s = Start(); !s.ok()) return s;
  }
  bytes_in_ += data.size();
  if (data.empty()) return absl::OkStatus();
  return Deflate(data, Z_NO_FLUSH, out);
}

absl::Status PcapGzWriter::Finish(std::string* out) {
  if (finished_) return absl::FailedPreconditionError("Finish called twice");
  if (!started_) {
    if (absl::Status s = Start(); !s.ok()) return s;
  }
  absl::Status status = Deflate(absl::string_view(), Z_FINISH, out);
  deflateEnd(&stream_);
  finished_ = true;
  return status;
}

}  // namespace mlab::packet_headers
