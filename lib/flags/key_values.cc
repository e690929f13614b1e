#include "lib/flags/key_values.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/flags/absl_compat.h"
#include "lib/flags/read_file.h"

namespace mlab::flags {

KeyValues::KeyValues(std::initializer_list<Pair> pairs) {
  for (const Pair& pair : pairs) Put(pair.first, pair.second);
}

absl::Status KeyValues::Add(std::string_view text) {
  struct Entry {
    std::string key, value, path;
  };
  std::vector<Entry> entries;
  for (absl::string_view entry : absl::StrSplit(internal::ToAbsl(text), ',')) {
    size_t eq = entry.find('=');
    if (eq == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad key/value \"", entry, "\": want key=value"));
    }
    if (eq == 0) {
      return absl::InvalidArgumentError(absl::StrCat("bad key/value \"", entry, "\": empty key"));
    }
    absl::string_view value = entry.substr(eq + 1);
    Entry parsed{std::string(entry.substr(0, eq)), std::string(value), ""};
    if (!value.empty() && value[0] == '@') {
      parsed.path = std::string(value.substr(1));
      absl::StatusOr<std::string> content = internal::ReadFileBytes(parsed.path);
      if (!content.ok()) return content.status();
      parsed.value = std::string(absl::StripAsciiWhitespace(*content));
    }
    entries.push_back(std::move(parsed));
  }
  for (Entry& entry : entries) {
    PutWithSource(std::move(entry.key), std::move(entry.value), std::move(entry.path));
  }
  return absl::OkStatus();
}

void KeyValues::Put(std::string key, std::string value) {
  PutWithSource(std::move(key), std::move(value), "");
}

void KeyValues::PutWithSource(std::string key, std::string value, std::string path) {
  for (size_t i = 0; i < pairs_.size(); ++i) {
    if (pairs_[i].first == key) {
      pairs_[i].second = std::move(value);
      paths_[i] = std::move(path);
      return;
    }
  }
  pairs_.emplace_back(std::move(key), std::move(value));
  paths_.push_back(std::move(path));
}

const std::string* KeyValues::Find(std::string_view key) const {
  for (const Pair& pair : pairs_) {
    if (pair.first == key) return &pair.second;
  }
  return nullptr;
}

std::map<std::string, std::string> KeyValues::ToMap() const {
  return std::map<std::string, std::string>(pairs_.begin(), pairs_.end());
}

std::string KeyValues::ToString() const {
  std::string out;
  for (size_t i = 0; i < pairs_.size(); ++i) {
    if (i > 0) out += ',';
    if (paths_[i].empty()) {
      absl::StrAppend(&out, pairs_[i].first, "=", pairs_[i].second);
    } else {
      absl::StrAppend(&out, pairs_[i].first, "=@", paths_[i]);
    }
  }
  return out;
}

void KeyValues::clear() {
  pairs_.clear();
  paths_.clear();
}

}  // namespace mlab::flags
