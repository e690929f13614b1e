#ifndef MLAB_SERVICES_NDT_SERVER_TEST_UTIL_H_
#define MLAB_SERVICES_NDT_SERVER_TEST_UTIL_H_

// Helpers shared by the ndt-server tests.

#include <zlib.h>

#include <fstream>
#include <sstream>
#include <string>

#include "lib/testing/temp_dir.h"

namespace mlab::ndt7::testing {

using ::mlab::testing::TempDir;

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
}

// The decompressed content of a gzip stream, or "" if it is not a complete one.
inline std::string Gunzip(const std::string& gz) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) return "";
  std::string out;
  char buf[65536];
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  z.avail_in = gz.size();
  int rc;
  do {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof(buf);
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof(buf) - z.avail_out);
  } while (rc == Z_OK);
  inflateEnd(&z);
  return rc == Z_STREAM_END ? out : "";
}

}  // namespace mlab::ndt7::testing

#endif  // MLAB_SERVICES_NDT_SERVER_TEST_UTIL_H_
