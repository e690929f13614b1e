#ifndef MLAB_LIB_FLAGS_FLAGS_H_
#define MLAB_LIB_FLAGS_FLAGS_H_

// Umbrella header: Flag<T> for every supported value type, plus Parse and Usage.
//
//   namespace {
//   mlab::flags::Flag<std::string> FLAGS_output("output", "", "Root of the archive tree.");
//   }
//   int main(int argc, char** argv) {
//     std::vector<std::string> args = mlab::flags::ParseOrExit(argc, argv, "What it does.");
//     ... *FLAGS_output ...
//   }

#include "lib/flags/basic_types.h"
#include "lib/flags/byte_count.h"
#include "lib/flags/duration.h"
#include "lib/flags/enum_value.h"
#include "lib/flags/file_bytes.h"
#include "lib/flags/file_bytes_list.h"
#include "lib/flags/flag.h"
#include "lib/flags/flag_base.h"
#include "lib/flags/key_values.h"
#include "lib/flags/parse.h"
#include "lib/flags/string_file.h"
#include "lib/flags/string_list.h"

#endif  // MLAB_LIB_FLAGS_FLAGS_H_
