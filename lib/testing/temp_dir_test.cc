#include "lib/testing/temp_dir.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace mlab::testing {
namespace {

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

TEST(TempDir, WritesFilesAndRemovesEverythingAtTheEnd) {
  std::string path;
  {
    TempDir dir;
    path = dir.path();
    ASSERT_TRUE(std::filesystem::is_directory(path));
    const std::string nested = dir.WriteFile("a/b/c.txt", std::string("x\0y", 3));
    EXPECT_EQ(nested, dir.File("a/b/c.txt"));
    std::ifstream in(nested, std::ios::binary);
    std::stringstream contents;
    contents << in.rdbuf();
    EXPECT_EQ(contents.str(), std::string("x\0y", 3));
    dir.WriteFile("top", "");
    std::filesystem::create_symlink(dir.File("top"), dir.File("link"));
    EXPECT_EQ(ListFiles(path), (std::vector<std::string>{"a/b/c.txt", "top"}));
  }
  EXPECT_FALSE(Exists(path));
}

TEST(TempDir, ShortOnesStayShortAndDistinct) {
  ShortTempDir a, b;
  EXPECT_EQ(a.path().rfind(std::string(kShortTempBase) + "/", 0), 0u);
  EXPECT_LT(a.path().size(), 30u);  // room for a socket name within sun_path's 108 bytes
  EXPECT_NE(a.path(), b.path());
}

}  // namespace
}  // namespace mlab::testing
