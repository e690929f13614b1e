#include "services/tcp-info/zstd_file_writer.h"

#include <zstd.h>

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace mlab::tcpinfo {
namespace {

constexpr int kLevel = 3;
constexpr int kWindowLog = 15;
constexpr int kHashLog = 13;
constexpr int kChainLog = 12;

absl::Status ZstdError(size_t code, absl::string_view what) {
  return absl::InternalError(absl::StrCat("zstd ", what, ": ", ZSTD_getErrorName(code)));
}

// Output staging shared by every writer of the thread (the poller writes from one thread).
std::vector<char>& OutputBuffer() {
  thread_local std::vector<char> buffer(ZSTD_CStreamOutSize());
  return buffer;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ZstdFileWriter>> ZstdFileWriter::Create(
    std::unique_ptr<spool::SpoolFile> file) {
  if (file == nullptr) return absl::InvalidArgumentError("no file");
  ZSTD_CCtx* context = ZSTD_createCCtx();
  if (context == nullptr) return absl::ResourceExhaustedError("cannot allocate a zstd context");
  for (auto [parameter, value] :
       {std::pair{ZSTD_c_compressionLevel, kLevel}, std::pair{ZSTD_c_checksumFlag, 1},
        std::pair{ZSTD_c_windowLog, kWindowLog}, std::pair{ZSTD_c_hashLog, kHashLog},
        std::pair{ZSTD_c_chainLog, kChainLog}}) {
    size_t result = ZSTD_CCtx_setParameter(context, parameter, value);
    if (ZSTD_isError(result)) {
      ZSTD_freeCCtx(context);
      return ZstdError(result, "set parameter");
    }
  }
  return std::unique_ptr<ZstdFileWriter>(new ZstdFileWriter(std::move(file), context));
}

ZstdFileWriter::ZstdFileWriter(std::unique_ptr<spool::SpoolFile> file, ZSTD_CCtx_s* context)
    : file_(std::move(file)), context_(context) {}

ZstdFileWriter::~ZstdFileWriter() {
  ZSTD_freeCCtx(context_);
  if (!finished_) file_->Abandon();
}

absl::Status ZstdFileWriter::Drive(absl::string_view data, int mode) {
  const auto directive = static_cast<ZSTD_EndDirective>(mode);
  std::vector<char>& out_buffer = OutputBuffer();
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  while (true) {
    ZSTD_outBuffer out{out_buffer.data(), out_buffer.size(), 0};
    const size_t remaining = ZSTD_compressStream2(context_, &out, &in, directive);
    if (ZSTD_isError(remaining)) return ZstdError(remaining, "compress");
    if (out.pos > 0) {
      absl::Status written = file_->Write(absl::string_view(out_buffer.data(), out.pos));
      if (!written.ok()) return written;
    }
    const bool consumed = in.pos == in.size;
    if (directive == ZSTD_e_continue ? consumed : consumed && remaining == 0) break;
  }
  return absl::OkStatus();
}

absl::Status ZstdFileWriter::Write(absl::string_view data) {
  if (finished_) return absl::FailedPreconditionError("write after Finish");
  if (data.empty()) return absl::OkStatus();
  dirty_ = true;
  uncompressed_bytes_ += data.size();
  return Drive(data, ZSTD_e_continue);
}

absl::Status ZstdFileWriter::Flush() {
  if (finished_) return absl::FailedPreconditionError("flush after Finish");
  if (!dirty_) return absl::OkStatus();
  dirty_ = false;
  return Drive(absl::string_view(), ZSTD_e_flush);
}

absl::Status ZstdFileWriter::Finish() {
  if (finished_) return absl::FailedPreconditionError("Finish called twice");
  absl::Status ended = Drive(absl::string_view(), ZSTD_e_end);
  if (!ended.ok()) return ended;
  finished_ = true;
  dirty_ = false;
  return file_->Commit();
}

}  // namespace mlab::tcpinfo
