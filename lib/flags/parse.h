#ifndef MLAB_LIB_FLAGS_PARSE_H_
#define MLAB_LIB_FLAGS_PARSE_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace mlab::flags {

// Looks up an environment variable; nullopt when it does not exist (empty is a value).
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// The process environment (getenv).
EnvLookup ProcessEnv();

// Parses argv[1..argc) as Go's flag package does, then fills every flag not set on the command
// line from its environment variable (see EnvName). Returns the positional arguments. Does not
// exit; `-h`/`-help` (when no such flag is registered) returns a status for which
// IsHelpRequest() is true.
//
// Accepted: -name, --name, -name=value, --name=value, and -name value for non-bool flags (the
// value may start with '-'). A bool flag never consumes the next argument: use -name=false.
// Parsing stops after "--" or before the first argument that is "-" or does not start with '-'.
absl::StatusOr<std::vector<std::string>> Parse(int argc, char** argv);

// As Parse, with args not including the program name and a custom environment (for tests).
absl::StatusOr<std::vector<std::string>> ParseArgs(const std::vector<std::string>& args,
                                                   const EnvLookup& env);

// As Parse for main(): on -h/-help prints Usage to stdout and exits 0; on an error prints it with
// a hint to stderr and exits 2.
std::vector<std::string> ParseOrExit(int argc, char** argv, std::string_view description);

// Usage text listing every registered flag, sorted by name, with its type, help, default and
// environment variable.
std::string Usage(std::string_view program, std::string_view description);

// True for the status Parse returns on -h, -help or --help.
bool IsHelpRequest(const absl::Status& status);

}  // namespace mlab::flags

#endif  // MLAB_LIB_FLAGS_PARSE_H_
