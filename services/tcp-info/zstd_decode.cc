#include "services/tcp-info/zstd_decode.h"

#include <zstd.h>

#include <memory>

#include "absl/strings/str_cat.h"

namespace mlab::tcpinfo {

ZstdPrefix DecompressPrefix(absl::string_view compressed) {
  ZstdPrefix result;
  std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> context(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (context == nullptr) {
    result.error = "cannot allocate a zstd decompression context";
    return result;
  }
  ZSTD_inBuffer in{compressed.data(), compressed.size(), 0};
  const size_t chunk = ZSTD_DStreamOutSize();
  size_t last = 1;
  while (in.pos < in.size) {
    const size_t at = result.data.size();
    result.data.resize(at + chunk);
    ZSTD_outBuffer out{result.data.data() + at, chunk, 0};
    last = ZSTD_decompressStream(context.get(), &out, &in);
    result.data.resize(at + out.pos);
    if (ZSTD_isError(last)) {
      result.error = ZSTD_getErrorName(last);
      return result;
    }
    if (out.pos == 0 && in.pos == in.size) break;
  }
  // Flush whatever the decoder still holds once all input is in.
  while (last != 0) {
    const size_t at = result.data.size();
    result.data.resize(at + chunk);
    ZSTD_outBuffer out{result.data.data() + at, chunk, 0};
    ZSTD_inBuffer none{nullptr, 0, 0};
    last = ZSTD_decompressStream(context.get(), &out, &none);
    result.data.resize(at + out.pos);
    if (ZSTD_isError(last)) {
      result.error = ZSTD_getErrorName(last);
      return result;
    }
    if (out.pos == 0) break;
  }
  if (compressed.empty()) {
    result.error = "empty input";
  } else if (last != 0) {
    result.error = "truncated zstd stream";
  } else {
    result.complete = true;
  }
  return result;
}

absl::StatusOr<std::string> Decompress(absl::string_view compressed) {
  ZstdPrefix prefix = DecompressPrefix(compressed);
  if (!prefix.complete) {
    return absl::DataLossError(absl::StrCat("zstd: ", prefix.error));
  }
  return std::move(prefix.data);
}

}  // namespace mlab::tcpinfo
