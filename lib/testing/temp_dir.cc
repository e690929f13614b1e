#include "lib/testing/temp_dir.h"

#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "lib/spool/spool_dir.h"

namespace mlab::testing {
namespace {

std::string DefaultBase() {
  const char* base = std::getenv("TEST_TMPDIR");
  return base != nullptr && *base != '\0' ? base : "/tmp";
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
  WriteFileOrDie(path, content);
  return path;
}

void WriteFileOrDie(const std::string& path, std::string_view content) {
  std::error_code error;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), error);
  if (error) Die("make the directory of", path);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  if (!out) Die("write", path);
}

std::vector<std::string> ListFiles(const std::string& dir) { return spool::RegularFilesBelow(dir); }

}  // namespace mlab::testing
