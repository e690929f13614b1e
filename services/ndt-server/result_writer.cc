#include "services/ndt-server/result_writer.h"

#include <zlib.h>

#include "absl/strings/str_cat.h"
#include "services/ndt-server/go_format.h"

namespace mlab::ndt7 {

absl::StatusOr<std::string> GzipFast(absl::string_view data) {
  z_stream z{};
  // windowBits 15 + 16 selects the gzip wrapper.
  if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return absl::InternalError("deflateInit2 failed");
  }
  std::string out;
  out.resize(deflateBound(&z, data.size()) + 32);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  const size_t written = out.size() - z.avail_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END) return absl::InternalError("deflate did not finish");
  out.resize(written);
  return out;
}

ResultWriter::ResultWriter(const std::string& datadir, bool compress,
                           spool::RetryingWriter::Options retry)
    : spool_(datadir + "/ndt7"), compress_(compress), retrier_(&spool_, retry) {}

std::string ResultWriter::FileName(Direction direction, absl::Time now, absl::string_view uuid,
                                   bool compress) {
  return absl::StrCat("ndt7-", DirectionName(direction), "-", FormatFileTime(now), ".", uuid,
                      compress ? ".json.gz" : ".json");
}

absl::StatusOr<std::string> ResultWriter::Write(const Ndt7Result& result, absl::Time now,
                                                spool::RetryingWriter::Done done, bool* held) {
  const std::string name = FileName(result.direction, now, result.data.uuid, compress_);
  std::string contents = ResultToJson(result);
  if (compress_) {
    absl::StatusOr<std::string> gz = GzipFast(contents);
    if (!gz.ok()) return gz.status();
    contents = std::move(*gz);
  }
  return retrier_.Write(now, name, std::move(contents), std::move(done), held);
}

}  // namespace mlab::ndt7
