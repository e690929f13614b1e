#include "services/tcp-info/archive_reader.h"

#include <cstring>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/fileio/files.h"
#include "rapidjson/document.h"
#include "services/tcp-info/zstd_decode.h"

namespace mlab::tcpinfo {
namespace {

absl::StatusOr<absl::Time> ParseTime(const rapidjson::Value& value) {
  if (!value.IsString()) return absl::InvalidArgumentError("time is not a string");
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, value.GetString(), &t, &error)) {
    return absl::InvalidArgumentError(absl::StrCat("bad time ", value.GetString(), ": ", error));
  }
  return t;
}

absl::StatusOr<std::string> ParseBase64(const rapidjson::Value& value) {
  if (!value.IsString()) return absl::InvalidArgumentError("bytes are not a string");
  std::string decoded;
  if (!absl::Base64Unescape(absl::string_view(value.GetString(), value.GetStringLength()),
                            &decoded)) {
    return absl::InvalidArgumentError("bad base64");
  }
  return decoded;
}

}  // namespace

absl::StatusOr<ArchiveLine> ParseArchiveLine(absl::string_view line) {
  rapidjson::Document document;
  document.Parse(line.data(), line.size());
  if (document.HasParseError() || !document.IsObject()) {
    return absl::InvalidArgumentError("archive line is not a JSON object");
  }
  ArchiveLine parsed;
  if (auto it = document.FindMember("Timestamp"); it != document.MemberEnd()) {
    absl::StatusOr<absl::Time> t = ParseTime(it->value);
    if (!t.ok()) return t.status();
    parsed.timestamp = *t;
  }
  if (auto it = document.FindMember("RawIDM"); it != document.MemberEnd()) {
    absl::StatusOr<std::string> raw = ParseBase64(it->value);
    if (!raw.ok()) return raw.status();
    parsed.raw_idm = *std::move(raw);
  }
  if (auto it = document.FindMember("Attributes"); it != document.MemberEnd()) {
    if (!it->value.IsArray()) return absl::InvalidArgumentError("Attributes is not an array");
    for (const rapidjson::Value& entry : it->value.GetArray()) {
      if (entry.IsNull()) {
        parsed.attributes.push_back(std::nullopt);
        continue;
      }
      absl::StatusOr<std::string> payload = ParseBase64(entry);
      if (!payload.ok()) return payload.status();
      parsed.attributes.push_back(*std::move(payload));
    }
  }
  if (auto it = document.FindMember("Metadata");
      it != document.MemberEnd() && it->value.IsObject()) {
    const rapidjson::Value& m = it->value;
    ArchiveLine::Metadata metadata;
    if (auto uuid = m.FindMember("UUID"); uuid != m.MemberEnd() && uuid->value.IsString()) {
      metadata.uuid = std::string(uuid->value.GetString(), uuid->value.GetStringLength());
    }
    if (auto seq = m.FindMember("Sequence"); seq != m.MemberEnd() && seq->value.IsInt64()) {
      metadata.sequence = seq->value.GetInt64();
    }
    if (auto start = m.FindMember("StartTime"); start != m.MemberEnd()) {
      absl::StatusOr<absl::Time> t = ParseTime(start->value);
      if (!t.ok()) return t.status();
      metadata.start_time = *t;
    }
    parsed.metadata = std::move(metadata);
  }
  return parsed;
}

absl::StatusOr<std::vector<ArchiveLine>> ReadArchive(const std::string& path) {
  absl::StatusOr<std::string> compressed = fileio::ReadWholeFile(path);
  if (!compressed.ok()) return compressed.status();
  absl::StatusOr<std::string> text = Decompress(*compressed);
  if (!text.ok()) return text.status();
  std::vector<ArchiveLine> lines;
  for (absl::string_view line : absl::StrSplit(*text, '\n', absl::SkipEmpty())) {
    absl::StatusOr<ArchiveLine> parsed = ParseArchiveLine(line);
    if (!parsed.ok()) {
      return absl::Status(parsed.status().code(), absl::StrCat(path, " line ", lines.size() + 1,
                                                               ": ", parsed.status().message()));
    }
    lines.push_back(*std::move(parsed));
  }
  return lines;
}

uint64_t TcpInfoU64(absl::string_view tcp_info, size_t offset) {
  if (offset + 8 > tcp_info.size()) return 0;
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i) {
    value = value << 8 | static_cast<uint8_t>(tcp_info[offset + i]);
  }
  return value;
}

}  // namespace mlab::tcpinfo
