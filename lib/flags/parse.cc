#include "lib/flags/parse.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "lib/flags/absl_compat.h"
#include "lib/flags/flag_base.h"

namespace mlab::flags {
namespace {

// Go's flag.ErrHelp text; the code and message together mark a help request.
constexpr char kHelpMessage[] = "flag: help requested";

std::string Quote(std::string_view text) {
  return absl::StrCat("\"", absl::CEscape(internal::ToAbsl(text)), "\"");
}

absl::Status SetFromCommandLine(FlagBase* flag, std::string_view value) {
  absl::Status status = flag->Set(value);
  if (status.ok()) return status;
  if (flag->IsBool()) {
    return absl::InvalidArgumentError(absl::StrCat("invalid boolean value ", Quote(value), " for -",
                                                   flag->name(), ": ", status.message()));
  }
  return absl::InvalidArgumentError(absl::StrCat("invalid value ", Quote(value), " for flag -",
                                                 flag->name(), ": ", status.message()));
}

// Go's ArgsFromEnv, after the command line: the command line wins.
absl::Status SetFromEnvironment(const EnvLookup& env) {
  std::vector<std::string> errors;
  for (FlagBase* flag : AllFlags()) {
    if (flag->was_set()) continue;
    std::string name = EnvName(flag->name());
    std::optional<std::string> value = env(name);
    if (!value.has_value()) continue;
    absl::Status status = flag->Set(*value);
    if (!status.ok()) {
      errors.push_back(absl::StrCat("invalid value ", Quote(*value), " for flag -", flag->name(),
                                    " from environment variable ", name, ": ", status.message()));
    }
  }
  if (errors.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrJoin(errors, "; "));
}

std::string ProgramName(int argc, char** argv) {
  if (argc < 1 || argv[0] == nullptr) return "program";
  std::string_view path = argv[0];
  size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

}  // namespace

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

absl::StatusOr<std::vector<std::string>> ParseArgs(const std::vector<std::string>& args,
                                                   const EnvLookup& env) {
  size_t i = 0;
  while (i < args.size()) {
    std::string_view arg = args[i];
    if (arg.size() < 2 || arg[0] != '-') break;  // a positional argument, or "-" (stdin)
    size_t dashes = 1;
    if (arg[1] == '-') {
      if (arg.size() == 2) {  // "--" ends the flags and is consumed
        ++i;
        break;
      }
      dashes = 2;
    }
    std::string_view name = arg.substr(dashes);
    if (name.empty() || name[0] == '-' || name[0] == '=') {
      return absl::InvalidArgumentError(absl::StrCat("bad flag syntax: ", internal::ToAbsl(arg)));
    }
    ++i;
    std::optional<std::string_view> value;
    if (size_t eq = name.find('='); eq != std::string_view::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    FlagBase* flag = FindFlag(name);
    if (flag == nullptr) {
      if (name == "help" || name == "h") return absl::CancelledError(kHelpMessage);
      return absl::InvalidArgumentError(
          absl::StrCat("flag provided but not defined: -", internal::ToAbsl(name)));
    }
    if (flag->IsBool()) {
      absl::Status status = SetFromCommandLine(flag, value.value_or("true"));
      if (!status.ok()) return status;
      continue;
    }
    if (!value.has_value()) {
      if (i == args.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("flag needs an argument: -", internal::ToAbsl(name)));
      }
      value = args[i++];
    }
    absl::Status status = SetFromCommandLine(flag, *value);
    if (!status.ok()) return status;
  }
  absl::Status status = SetFromEnvironment(env);
  if (!status.ok()) return status;
  return std::vector<std::string>(args.begin() + i, args.end());
}

absl::StatusOr<std::vector<std::string>> Parse(int argc, char** argv) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  return ParseArgs(args, ProcessEnv());
}

std::vector<std::string> ParseOrExit(int argc, char** argv, std::string_view description) {
  absl::StatusOr<std::vector<std::string>> positional = Parse(argc, argv);
  if (positional.ok()) return *std::move(positional);
  std::string program = ProgramName(argc, argv);
  if (IsHelpRequest(positional.status())) {
    std::fputs(Usage(program, description).c_str(), stdout);
    std::fflush(stdout);
    std::exit(0);
  }
  std::fprintf(stderr, "%s: %s\nRun '%s -help' for usage.\n", program.c_str(),
               std::string(positional.status().message()).c_str(), program.c_str());
  std::exit(2);
}

std::string Usage(std::string_view program, std::string_view description) {
  std::string out;
  if (!description.empty()) {
    absl::StrAppend(&out, internal::ToAbsl(description),
                    description.back() == '\n' ? "\n" : "\n\n");
  }
  absl::StrAppend(&out, "Usage: ", internal::ToAbsl(program), " [flags] [args]\n",
                  "Every flag can also be set from the environment variable shown; "
                  "the command line wins.\n\n");
  for (const FlagBase* flag : AllFlags()) {
    absl::StrAppend(&out, "  -", flag->name());
    // A bool flag takes no argument, so a type after it would mislead.
    if (!flag->IsBool()) absl::StrAppend(&out, " ", flag->TypeName());
    absl::StrAppend(&out, "\n    \t");
    if (!flag->help().empty()) {
      absl::StrAppend(&out, absl::StrReplaceAll(flag->help(), {{"\n", "\n    \t"}}), " ");
    }
    absl::StrAppend(&out, "(");
    if (!flag->DefaultIsZero()) {
      std::string text = flag->DefaultText();
      absl::StrAppend(&out, "default ", flag->TypeName() == "string" ? Quote(text) : text, "; ");
    }
    absl::StrAppend(&out, "env ", EnvName(flag->name()), ")\n");
  }
  return out;
}

bool IsHelpRequest(const absl::Status& status) {
  return status.code() == absl::StatusCode::kCancelled && status.message() == kHelpMessage;
}

}  // namespace mlab::flags
