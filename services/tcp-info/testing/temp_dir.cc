#include "services/tcp-info/testing/temp_dir.h"

#include <dirent.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include "glog/logging.h"

namespace mlab::tcpinfo::testing {
namespace {

int RemoveEntry(const char* path, const struct stat*, int, struct FTW*) { return remove(path); }

void Walk(const std::string& dir, const std::string& relative, std::vector<std::string>* out) {
  DIR* handle = opendir(dir.c_str());
  if (handle == nullptr) return;
  while (dirent* entry = readdir(handle)) {
    std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    std::string path = dir + "/" + name;
    std::string rel = relative.empty() ? name : relative + "/" + name;
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

void MakeParents(const std::string& path) {
  for (size_t slash = path.find('/', 1); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    mkdir(path.substr(0, slash).c_str(), 0755);
  }
}

}  // namespace

TempDir::TempDir()
    : TempDir(std::getenv("TEST_TMPDIR") != nullptr ? std::getenv("TEST_TMPDIR") : "/tmp") {}

TempDir::TempDir(const std::string& base) {
  std::string pattern = base + "/tcpinfo-XXXXXX";
  CHECK(mkdtemp(pattern.data()) != nullptr) << "mkdtemp " << pattern;
  path_ = pattern;
}

TempDir::~TempDir() { nftw(path_.c_str(), RemoveEntry, 16, FTW_DEPTH | FTW_PHYS); }

std::vector<std::string> ListFiles(const std::string& dir) {
  std::vector<std::string> files;
  Walk(dir, "", &files);
  std::sort(files.begin(), files.end());
  return files;
}

void WriteFileOrDie(const std::string& path, const std::string& contents) {
  MakeParents(path);
  std::ofstream out(path, std::ios::binary);
  out << contents;
  CHECK(out.good()) << path;
}

}  // namespace mlab::tcpinfo::testing
