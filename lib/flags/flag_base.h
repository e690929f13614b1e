#ifndef MLAB_LIB_FLAGS_FLAG_BASE_H_
#define MLAB_LIB_FLAGS_FLAG_BASE_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace mlab::flags {

// FlagBase is one named command-line flag, registered in a process-global registry for as long as
// it lives. Flags are declared at namespace scope, set by Parse at startup and only read after
// that, so there is no locking: do not Set a flag while other threads read it.
class FlagBase {
 public:
  // Registers the flag; aborts (like Go's panic) on a duplicate or malformed name.
  FlagBase(std::string_view name, std::string_view help);
  virtual ~FlagBase();

  FlagBase(const FlagBase&) = delete;
  FlagBase& operator=(const FlagBase&) = delete;

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  // True once Set (or SetForTest) succeeded since construction or the last ResetForTest.
  bool was_set() const { return was_set_; }

  // Parses text into the value; repeatable flags append. On error the value is unchanged.
  virtual absl::Status Set(std::string_view text) = 0;
  // A bool flag takes no argument: `-name` means true, only `-name=false` turns it off.
  virtual bool IsBool() const = 0;
  virtual std::string DefaultText() const = 0;
  virtual std::string CurrentText() const = 0;
  virtual std::string TypeName() const = 0;
  // Usage leaves out "(default ...)" when the default is the type's zero value.
  virtual bool DefaultIsZero() const = 0;
  // Restores the default value and clears was_set().
  virtual void ResetForTest() = 0;

 protected:
  void set_was_set(bool was_set) { was_set_ = was_set; }

 private:
  std::string name_;
  std::string help_;
  bool was_set_ = false;
};

// Every registered flag, sorted by name.
std::vector<FlagBase*> AllFlags();

// The registered flag with this name, or nullptr.
FlagBase* FindFlag(std::string_view name);

// The environment variable that feeds a flag: upper case, every non-alphanumeric becomes '_'
// (`-tcpinfo.eventsocket` <- TCPINFO_EVENTSOCKET, `-a.b-c` <- A_B_C).
std::string EnvName(std::string_view flag_name);

// Restores every registered flag to its default and clears was_set().
void ResetAllForTest();

}  // namespace mlab::flags

#endif  // MLAB_LIB_FLAGS_FLAG_BASE_H_
