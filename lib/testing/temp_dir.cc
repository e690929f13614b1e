#include "lib/testing/temp_dir.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <system_error>

namespace mlab::testing {
namespace {

std::string DefaultBase() {
  const char* base = std::getenv("TEST_TMPDIR");
  return base != nullptr && *base != '\0' ? base : "/tmp";
}

// Tests list trees that a service under test is changing: whatever vanishes is skipped.
void Walk(const std::string& dir, const std::string& relative, std::vector<std::string>* out) {
  DIR* handle = opendir(dir.c_str());
  if (handle == nullptr) return;
  while (const dirent* entry = readdir(handle)) {
    const std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    const std::string path = dir + "/" + name;
    const std::string rel = relative.empty() ? name : relative + "/" + name;
    struct stat info;
    if (lstat(path.c_str(), &info) != 0) continue;
    if (S_ISDIR(info.st_mode)) {
      Walk(path, rel, out);
    } else if (S_ISREG(info.st_mode)) {
      out->push_back(rel);
    }
  }
  closedir(handle);
}

[[noreturn]] void Die(const char* what, const std::string& path) {
  std::fprintf(stderr, "TempDir: cannot %s %s\n", what, path.c_str());
  std::abort();
}

}  // namespace

TempDir::TempDir() : TempDir(DefaultBase()) {}

TempDir::TempDir(const std::string& base) {
  std::string pattern = base + "/mlabXXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) Die("make a directory like", pattern);
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string TempDir::File(std::string_view relative) const {
  return path_ + "/" + std::string(relative);
}

std::string TempDir::WriteFile(std::string_view relative, std::string_view content) const {
  std::string path = File(relative);
  std::error_code error;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), error);
  if (error) Die("make the directory of", path);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  if (!out) Die("write", path);
  return path;
}

std::vector<std::string> ListFiles(const std::string& dir) {
  std::vector<std::string> out;
  Walk(dir, "", &out);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace mlab::testing
