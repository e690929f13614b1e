#include "tools/uuid-join/archive_source.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <sys/stat.h>
#include <zlib.h>
#include <zstd.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace mlab::uuidjoin {
namespace {

absl::Status VisitArchive(const std::string& path, const FileVisitor& visitor) {
  archive* reader = archive_read_new();
  archive_read_support_filter_all(reader);
  archive_read_support_format_all(reader);
  if (archive_read_open_filename(reader, path.c_str(), 1 << 16) != ARCHIVE_OK) {
    absl::Status status = absl::DataLossError(
        absl::StrCat("cannot open archive ", path, ": ", archive_error_string(reader)));
    archive_read_free(reader);
    return status;
  }
  absl::Status status;
  archive_entry* entry;
  while (true) {
    int result = archive_read_next_header(reader, &entry);
    if (result == ARCHIVE_EOF) break;
    if (result != ARCHIVE_OK && result != ARCHIVE_WARN) {
      status = absl::DataLossError(
          absl::StrCat("bad archive ", path, ": ", archive_error_string(reader)));
      break;
    }
    if (archive_entry_filetype(entry) != AE_IFREG) continue;
    std::string contents;
    char buffer[1 << 16];
    la_ssize_t n;
    while ((n = archive_read_data(reader, buffer, sizeof(buffer))) > 0) contents.append(buffer, n);
    if (n < 0) {
      status = absl::DataLossError(
          absl::StrCat("bad member in ", path, ": ", archive_error_string(reader)));
      break;
    }
    visitor(absl::StrCat(path, ":", archive_entry_pathname(entry)), contents);
  }
  archive_read_free(reader);
  return status;
}

absl::Status VisitTree(const std::string& dir, const FileVisitor& visitor) {
  DIR* handle = opendir(dir.c_str());
  if (handle == nullptr) return absl::NotFoundError(absl::StrCat("cannot read directory ", dir));
  std::vector<std::string> names;
  while (dirent* entry = readdir(handle)) {
    if (entry->d_name[0] != '.') names.push_back(entry->d_name);
  }
  closedir(handle);
  std::sort(names.begin(), names.end());
  absl::Status status;
  for (const std::string& name : names) {
    absl::Status visited = VisitFiles(absl::StrCat(dir, "/", name), visitor);
    if (status.ok()) status = visited;
  }
  return status;
}

}  // namespace

absl::Status VisitFiles(const std::string& path, const FileVisitor& visitor) {
  struct stat info;
  if (stat(path.c_str(), &info) != 0)
    return absl::NotFoundError(absl::StrCat("no such path ", path));
  if (S_ISDIR(info.st_mode)) return VisitTree(path, visitor);
  if (!S_ISREG(info.st_mode)) return absl::OkStatus();
  if (absl::EndsWith(path, ".tgz") || absl::EndsWith(path, ".tar.gz") ||
      absl::EndsWith(path, ".tar")) {
    return VisitArchive(path, visitor);
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream contents;
  contents << in.rdbuf();
  if (!in) return absl::DataLossError(absl::StrCat("cannot read ", path));
  visitor(path, contents.str());
  return absl::OkStatus();
}

absl::Status Gunzip(absl::string_view compressed, std::string* out) {
  z_stream stream = {};
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) return absl::InternalError("inflateInit2");
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  char buffer[1 << 16];
  int result = Z_OK;
  while (result != Z_STREAM_END) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof(buffer);
    result = inflate(&stream, Z_NO_FLUSH);
    if (result != Z_OK && result != Z_STREAM_END) {
      inflateEnd(&stream);
      return absl::DataLossError("corrupt gzip data");
    }
    out->append(buffer, sizeof(buffer) - stream.avail_out);
    if (result == Z_OK && stream.avail_in == 0 && stream.avail_out != 0) {
      inflateEnd(&stream);
      return absl::DataLossError("truncated gzip data");
    }
  }
  inflateEnd(&stream);
  return absl::OkStatus();
}

absl::Status Unzstd(absl::string_view compressed, std::string* out) {
  ZSTD_DStream* stream = ZSTD_createDStream();
  ZSTD_inBuffer in = {compressed.data(), compressed.size(), 0};
  char buffer[1 << 16];
  size_t result = 0;
  while (in.pos < in.size) {
    ZSTD_outBuffer output = {buffer, sizeof(buffer), 0};
    result = ZSTD_decompressStream(stream, &output, &in);
    if (ZSTD_isError(result)) {
      ZSTD_freeDStream(stream);
      return absl::DataLossError(absl::StrCat("corrupt zstd data: ", ZSTD_getErrorName(result)));
    }
    out->append(buffer, output.pos);
  }
  // Drain what the decoder still holds.
  while (result != 0) {
    ZSTD_outBuffer output = {buffer, sizeof(buffer), 0};
    result = ZSTD_decompressStream(stream, &output, &in);
    if (ZSTD_isError(result) || output.pos == 0) break;
    out->append(buffer, output.pos);
  }
  ZSTD_freeDStream(stream);
  if (result != 0) return absl::DataLossError("truncated zstd data");
  return absl::OkStatus();
}

}  // namespace mlab::uuidjoin
