#include "services/uuid-annotator/archive_reader.h"

#include <archive.h>
#include <archive_entry.h>
#include <zlib.h>

#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace mlab::uuid_annotator {

bool IsGzip(absl::string_view data) {
  return data.size() >= 2 && static_cast<uint8_t>(data[0]) == 0x1f &&
         static_cast<uint8_t>(data[1]) == 0x8b;
}

absl::StatusOr<std::string> Gunzip(absl::string_view data, size_t max_bytes) {
  if (!IsGzip(data)) return absl::InvalidArgumentError("not gzip data");
  if (data.size() > UINT32_MAX) return absl::InvalidArgumentError("gzip data too large");
  z_stream zs = {};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return absl::InternalError("inflateInit2 failed");
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, inflateEnd);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buf[1 << 16];
  while (true) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    const int rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof(buf) - zs.avail_out);
    if (out.size() > max_bytes) {
      return absl::InvalidArgumentError(absl::StrCat("gzip data inflates beyond ", max_bytes));
    }
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) return out;
      // Another member may follow, as Go's multistream reader expects; anything else is an error.
      if (!IsGzip(absl::string_view(reinterpret_cast<const char*>(zs.next_in), zs.avail_in))) {
        return absl::InvalidArgumentError("garbage after gzip member");
      }
      inflateReset(&zs);
      continue;
    }
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) {
      return absl::InvalidArgumentError("truncated gzip data");
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return absl::InvalidArgumentError(
          absl::StrCat("corrupt gzip data: ", zs.msg != nullptr ? zs.msg : "inflate error"));
    }
  }
}

absl::StatusOr<std::string> ExtractMember(absl::string_view data, absl::string_view suffix,
                                          size_t max_bytes) {
  std::unique_ptr<archive, int (*)(archive*)> reader(archive_read_new(), archive_read_free);
  archive_read_support_filter_all(reader.get());
  archive_read_support_format_tar(reader.get());
  archive_read_support_format_gnutar(reader.get());
  archive_read_support_format_zip(reader.get());
  if (archive_read_open_memory(reader.get(), data.data(), data.size()) != ARCHIVE_OK) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a tar or zip archive: ", archive_error_string(reader.get())));
  }
  archive_entry* entry = nullptr;
  while (true) {
    const int rc = archive_read_next_header(reader.get(), &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
      return absl::InvalidArgumentError(
          absl::StrCat("corrupt archive: ", archive_error_string(reader.get())));
    }
    const char* name = archive_entry_pathname(entry);
    if (name == nullptr || !absl::EndsWith(name, suffix)) continue;
    std::string content;
    char buf[1 << 16];
    while (true) {
      const la_ssize_t n = archive_read_data(reader.get(), buf, sizeof(buf));
      if (n < 0) {
        return absl::InvalidArgumentError(absl::StrCat("corrupt archive member ", name, ": ",
                                                       archive_error_string(reader.get())));
      }
      if (n == 0) break;
      content.append(buf, n);
      if (content.size() > max_bytes) {
        return absl::InvalidArgumentError(absl::StrCat("archive member ", name, " too large"));
      }
    }
    return content;
  }
  return absl::NotFoundError(absl::StrCat("no archive member ends with ", suffix));
}

}  // namespace mlab::uuid_annotator
