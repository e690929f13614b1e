#include "lib/uuid/process_prefix.h"

#include "absl/strings/ascii.h"
#include "glog/logging.h"
#include "lib/flags/flags.h"
#include "lib/uuid/prefix.h"

namespace {

// Declared here, where it is used, as upstream's uuid package does: every service that labels
// sockets accepts it.
mlab::flags::Flag<mlab::flags::FileBytes> FLAGS_uuid_prefix_file(
    "uuid-prefix-file", {},
    "The file holding the UUID prefix for sockets created in this network namespace (its raw "
    "bytes, as written by create-uuid-prefix-file). Without it the prefix is "
    "<hostname>_<boottime>_unsafe.");

}  // namespace

namespace mlab::uuid {

const std::string& ProcessPrefix() {
  static const std::string* prefix = [] {
    if (FLAGS_uuid_prefix_file->path().empty()) {
      auto* unsafe = new std::string(UnsafePrefix(SystemPrefixSources()));
      LOG(WARNING) << "no -uuid-prefix-file given; UUIDs use the prefix " << *unsafe;
      return unsafe;
    }
    const std::string& content = FLAGS_uuid_prefix_file->content();
    // Kept byte for byte so our UUIDs equal those of upstream's Go services reading the same file.
    if (content.empty() || absl::StripAsciiWhitespace(content) != content) {
      LOG(WARNING) << "UUID prefix file " << FLAGS_uuid_prefix_file->path()
                   << " is empty or has surrounding whitespace; using it as it is";
    }
    return new std::string(content);
  }();
  return *prefix;
}

}  // namespace mlab::uuid
