#include "lib/flags/flag_base.h"

#include <cstdio>
#include <cstdlib>
#include <map>

#include "absl/strings/ascii.h"

namespace mlab::flags {
namespace {

// Leaked on purpose: flags at namespace scope register during static initialization and
// unregister during static destruction, so the registry must outlive all of them.
std::map<std::string, FlagBase*, std::less<>>& Registry() {
  static auto* registry = new std::map<std::string, FlagBase*, std::less<>>;
  return *registry;
}

bool IsValidName(std::string_view name) {
  if (name.empty() || name[0] == '-') return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') {
      return false;
    }
  }
  return true;
}

}  // namespace

FlagBase::FlagBase(std::string_view name, std::string_view help) : name_(name), help_(help) {
  if (!IsValidName(name_)) {
    std::fprintf(stderr,
                 "mlab::flags: bad flag name \"%s\": use letters, digits, '.', '-' and '_', "
                 "not starting with '-'\n",
                 name_.c_str());
    std::abort();
  }
  if (!Registry().emplace(name_, this).second) {
    std::fprintf(stderr, "mlab::flags: flag redefined: %s\n", name_.c_str());
    std::abort();
  }
}

FlagBase::~FlagBase() {
  auto it = Registry().find(name_);
  if (it != Registry().end() && it->second == this) Registry().erase(it);
}

std::vector<FlagBase*> AllFlags() {
  std::vector<FlagBase*> flags;
  flags.reserve(Registry().size());
  for (const auto& [name, flag] : Registry()) flags.push_back(flag);
  return flags;
}

FlagBase* FindFlag(std::string_view name) {
  auto it = Registry().find(name);
  return it == Registry().end() ? nullptr : it->second;
}

std::string EnvName(std::string_view flag_name) {
  std::string env(flag_name);
  for (char& c : env) {
    unsigned char u = static_cast<unsigned char>(c);
    c = absl::ascii_isalnum(u) ? absl::ascii_toupper(u) : '_';
  }
  return env;
}

void ResetAllForTest() {
  for (FlagBase* flag : AllFlags()) flag->ResetForTest();
}

}  // namespace mlab::flags
