#ifndef MLAB_LIB_UUID_PROCESS_PREFIX_H_
#define MLAB_LIB_UUID_PROCESS_PREFIX_H_

#include <string>

namespace mlab::uuid {

// The UUID prefix of this process: the raw bytes of the file named by -uuid-prefix-file (env
// UUID_PREFIX_FILE), or `<host>_<boottime>_unsafe` when the flag is not given. Call after flags
// are parsed; the value is computed once.
const std::string& ProcessPrefix();

}  // namespace mlab::uuid

#endif  // MLAB_LIB_UUID_PROCESS_PREFIX_H_
