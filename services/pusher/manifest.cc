#include "services/pusher/manifest.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace mlab::pusher {
namespace {

constexpr absl::string_view kMagic = "pusher-archive 1";

void AppendFile(std::string* out, absl::string_view kind, const ArchivedFile& f) {
  absl::StrAppend(out, kind, " ", f.identity.inode, " ", f.identity.size, " ", f.identity.mtime_ns,
                  " ", f.path, "\n");
}

bool ParseFile(absl::string_view rest, ArchivedFile* f) {
  std::vector<absl::string_view> parts = absl::StrSplit(rest, absl::MaxSplits(' ', 3));
  return parts.size() == 4 && absl::SimpleAtoi(parts[0], &f->identity.inode) &&
         absl::SimpleAtoi(parts[1], &f->identity.size) &&
         absl::SimpleAtoi(parts[2], &f->identity.mtime_ns) && !parts[3].empty() &&
         (f->path = std::string(parts[3]), true);
}

}  // namespace

std::string ArchiveManifest::Serialize() const {
  std::string out = absl::StrCat(kMagic, "\n");
  absl::StrAppend(&out, "id ", id, "\n", "object ", object_name, "\n", "subdir ", subdir, "\n",
                  "md5 ", absl::BytesToHexString(md5), "\n", "crc32c ", crc32c, "\n", "size ", size,
                  "\n");
  for (const ArchivedFile& f : members) AppendFile(&out, "member", f);
  for (const ArchivedFile& f : skipped) AppendFile(&out, "skip", f);
  absl::StrAppend(&out, "end\n");
  return out;
}

absl::StatusOr<ArchiveManifest> ArchiveManifest::Parse(absl::string_view text) {
  std::vector<absl::string_view> lines = absl::StrSplit(text, '\n');
  if (lines.empty() || lines[0] != kMagic) {
    return absl::DataLossError("not a pusher archive manifest");
  }
  ArchiveManifest m;
  bool ended = false;
  for (size_t i = 1; i < lines.size() && !ended; ++i) {
    absl::string_view line = lines[i];
    size_t space = line.find(' ');
    absl::string_view key = line.substr(0, space);
    absl::string_view rest = space == absl::string_view::npos ? "" : line.substr(space + 1);
    bool ok = true;
    if (key == "id") {
      m.id = std::string(rest);
    } else if (key == "object") {
      m.object_name = std::string(rest);
    } else if (key == "subdir") {
      m.subdir = std::string(rest);
    } else if (key == "md5") {
      ok = rest.size() % 2 == 0 &&
           std::all_of(rest.begin(), rest.end(), [](char c) { return absl::ascii_isxdigit(c); });
      if (ok) m.md5 = absl::HexStringToBytes(rest);
    } else if (key == "crc32c") {
      ok = absl::SimpleAtoi(rest, &m.crc32c);
    } else if (key == "size") {
      ok = absl::SimpleAtoi(rest, &m.size);
    } else if (key == "member" || key == "skip") {
      ArchivedFile f;
      ok = ParseFile(rest, &f);
      (key == "member" ? m.members : m.skipped).push_back(std::move(f));
    } else if (key == "end") {
      ended = true;
    } else {
      ok = false;
    }
    if (!ok) return absl::DataLossError(absl::StrCat("bad manifest line: ", line));
  }
  if (!ended || m.id.empty()) return absl::DataLossError("truncated manifest");
  if (!m.members.empty() && (m.object_name.empty() || m.md5.size() != 16)) {
    return absl::DataLossError("manifest without object name or md5");
  }
  return m;
}

}  // namespace mlab::pusher
