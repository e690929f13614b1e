// create-uuid-prefix-file writes the node's UUID prefix, `<POD_NAME or hostname>_<boot time>`, to
// a file that every container of the pod reads, so all services label sockets alike. It runs as
// an init container, as upstream's measurementlab/uuid image does.

#include <string>

#include "glog/logging.h"
#include "lib/flags/flags.h"
#include "lib/uuid/prefix.h"

namespace {

mlab::flags::Flag<std::string> FLAGS_filename("filename", "/var/local/uuid/prefix",
                                              "The file to write the UUID prefix to.");

}  // namespace

int main(int argc, char** argv) {
  google::InitGoogleLogging(argv[0]);
  FLAGS_logtostderr = true;
  mlab::flags::ParseOrExit(
      argc, argv,
      "Writes the UUID prefix <POD_NAME or hostname>_<boot time in Unix seconds> to -filename "
      "(mode 0444, no trailing newline).");
  std::string prefix = mlab::uuid::GeneratePrefix(mlab::uuid::SystemPrefixSources());
  absl::Status written = mlab::uuid::WritePrefixFile(*FLAGS_filename, prefix);
  if (!written.ok()) {
    LOG(ERROR) << "cannot write the UUID prefix: " << written;
    return 1;
  }
  LOG(INFO) << "wrote UUID prefix " << prefix << " to " << *FLAGS_filename;
  return 0;
}
