#include "services/pusher/tar_bundle.h"

#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "glog/logging.h"

namespace mlab::pusher {
namespace {

constexpr size_t kBlock = 512;
constexpr size_t kNameSize = 100;

// Writes `value` as zero-padded octal filling `width - 1` digits plus a NUL, as Go does.
void PutOctal(char* field, size_t width, int64_t value) {
  std::string digits = absl::StrFormat("%0*o", static_cast<int>(width - 1), value);
  CHECK_EQ(digits.size(), width - 1) << "tar field overflow";
  std::memcpy(field, digits.data(), width - 1);
  field[width - 1] = '\0';
}

void PutString(char* field, size_t width, absl::string_view value) {
  std::memcpy(field, value.data(), std::min(width, value.size()));
}

std::string SplitPaxName(absl::string_view name) {
  size_t slash = name.rfind('/');
  if (slash == absl::string_view::npos) return absl::StrCat("PaxHeaders.0/", name);
  return absl::StrCat(name.substr(0, slash + 1), "PaxHeaders.0/", name.substr(slash + 1));
}

}  // namespace

TarBundle::TarBundle(std::map<std::string, std::string> pax_records)
    : records_(std::move(pax_records)), gzip_(std::make_unique<GzipWriter>(&out_)) {}

std::string TarBundle::HeaderBlock(absl::string_view name, char typeflag, int64_t mode,
                                   int64_t size, int64_t mtime, bool dev_numbers) {
  std::string block(kBlock, '\0');
  char* b = block.data();
  PutString(b + 0, kNameSize, name);
  PutOctal(b + 100, 8, mode);
  PutOctal(b + 108, 8, 0);  // uid
  PutOctal(b + 116, 8, 0);  // gid
  PutOctal(b + 124, 12, size);
  PutOctal(b + 136, 12, mtime);
  b[156] = typeflag;
  std::memcpy(b + 257,
              "ustar\0"
              "00",
              8);
  if (dev_numbers) {
    PutOctal(b + 329, 8, 0);
    PutOctal(b + 337, 8, 0);
  }
  // The checksum counts its own field as spaces, then is written as 6 octal digits, NUL, space.
  std::memset(b + 148, ' ', 8);
  int64_t sum = 0;
  for (unsigned char c : block) sum += c;
  std::string chk = absl::StrFormat("%06o", sum);
  std::memcpy(b + 148, chk.data(), 6);
  b[154] = '\0';
  b[155] = ' ';
  return block;
}

std::string TarBundle::PaxPayload(const std::map<std::string, std::string>& records) {
  std::string payload;
  for (const auto& [key, value] : records) {
    // The length prefix counts itself: grow it until it is self-consistent.
    size_t rest = key.size() + value.size() + 3;  // ' ', '=', '\n'
    size_t total = rest + 1;
    while (absl::StrCat(total).size() + rest != total) total = absl::StrCat(total).size() + rest;
    absl::StrAppend(&payload, total, " ", key, "=", value, "\n");
  }
  return payload;
}

int64_t TarBundle::RoundToSeconds(int64_t seconds, int64_t nanos) {
  return nanos >= 500000000 ? seconds + 1 : seconds;
}

void TarBundle::WriteTar(absl::string_view data) {
  gzip_->Write(data);
  tar_size_ += data.size();
}

void TarBundle::Pad(uint64_t size) {
  static const char kZeros[kBlock] = {};
  if (size % kBlock != 0) WriteTar(absl::string_view(kZeros, kBlock - size % kBlock));
}

bool TarBundle::AlreadyCompressed(absl::string_view content) {
  static constexpr absl::string_view kMagics[] = {
      absl::string_view("\x1f\x8b", 2),                  // gzip (.gz: ndt7 JSON, pcap)
      absl::string_view("\x28\xb5\x2f\xfd", 4),          // zstd (.zst: tcpinfo)
      absl::string_view("\xfd\x37\x7a\x58\x5a\x00", 6),  // xz
      absl::string_view("\x04\x22\x4d\x18", 4),          // lz4 frame
      absl::string_view("BZh", 3),                         // bzip2
  };
  for (absl::string_view magic : kMagics) {
    if (absl::StartsWith(content, magic)) return true;
  }
  return false;
}

void TarBundle::Add(absl::string_view name, int64_t mtime_seconds, absl::string_view content) {
  CHECK(!finished_);
  // Headers at the default level; after the previous member's sync flush nothing is pending, so
  // switching back costs nothing.
  gzip_->SetLevel(GzipWriter::kDefaultLevel);
  std::map<std::string, std::string> records = records_;
  // Names that do not fit the ustar field travel in a PAX "path" record, as Go writes them.
  if (name.size() > kNameSize) records["path"] = std::string(name);
  if (!records.empty()) {
    std::string payload = PaxPayload(records);
    std::string pax_name = SplitPaxName(name);
    if (pax_name.size() > kNameSize) pax_name.resize(kNameSize);
    while (!pax_name.empty() && pax_name.back() == '/') pax_name.pop_back();
    WriteTar(HeaderBlock(pax_name, 'x', 0, payload.size(), 0, /*dev_numbers=*/false));
    WriteTar(payload);
    Pad(payload.size());
  }
  WriteTar(HeaderBlock(name, '0', 0666, content.size(), mtime_seconds, /*dev_numbers=*/true));
  // Compressed payloads (most of the spool's bytes: .pcap.gz, .jsonl.zst, .json.gz) gain nothing
  // from deflate but cost most of its CPU: they go into stored blocks (5 bytes per 64 KB).
  if (AlreadyCompressed(content)) gzip_->SetLevel(0);
  WriteTar(content);
  Pad(content.size());
  gzip_->Flush();
  ++members_;
}

std::string TarBundle::Finish() {
  CHECK(!finished_);
  finished_ = true;
  static const char kZeros[2 * kBlock] = {};
  WriteTar(absl::string_view(kZeros, sizeof(kZeros)));
  gzip_->Close();
  gzip_.reset();
  return std::move(out_);
}

}  // namespace mlab::pusher
