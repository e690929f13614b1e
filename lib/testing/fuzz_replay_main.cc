// A main() for fuzz targets built without libFuzzer (the default gcc build, and the seed tests of
// every config): runs LLVMFuzzerTestOneInput once on each file named on the command line, or on
// every file below each named directory, so `bazel test //...` checks every seed of every target.
// A crash, a sanitizer report or an uncaught exception fails the test; so do no inputs at all.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

bool RunFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "fuzz_replay: cannot read %s\n", path.c_str());
    return false;
  }
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // A copy of exactly the input's size, so that ASan sees any read past its end.
  std::vector<uint8_t> input(bytes.begin(), bytes.end());
  uint8_t* data = input.empty() ? nullptr : input.data();
  LLVMFuzzerTestOneInput(data, input.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path arg(argv[i]);
    if (std::filesystem::is_directory(arg)) {
      for (const auto& entry : std::filesystem::recursive_directory_iterator(arg)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
    } else {
      files.push_back(arg);
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "fuzz_replay: no inputs (pass seed files or directories)\n");
    return 2;
  }
  // The empty input is every parser's first edge case.
  LLVMFuzzerTestOneInput(nullptr, 0);
  size_t ran = 0;
  for (const auto& file : files) {
    if (!RunFile(file)) return 1;
    ++ran;
  }
  std::printf("fuzz_replay: %zu inputs ran without a crash\n", ran);
  return 0;
}
