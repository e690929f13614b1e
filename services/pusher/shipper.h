#ifndef MLAB_SERVICES_PUSHER_SHIPPER_H_
#define MLAB_SERVICES_PUSHER_SHIPPER_H_

#include <atomic>
#include <string>
#include <vector>

#include "absl/random/random.h"
#include "absl/time/time.h"
#include "services/pusher/archive_name.h"
#include "services/pusher/backoff.h"
#include "services/pusher/bundler.h"
#include "services/pusher/cancel_token.h"
#include "services/pusher/journal.h"
#include "services/pusher/uploader.h"

namespace mlab::pusher {

// Uploads one datatype's sealed archives, retrying with backoff until the backend confirms each,
// and only then deletes its files: a file whose identity changed since it was read is kept and
// offered again. The archive's name is fixed in the journal before the first attempt; an
// AlreadyExists answer is checked against our MD5 (a "ghost" success of an earlier attempt or a
// crashed process is recognised, never duplicated). Lives on the pipeline's upload thread.
class Shipper {
 public:
  struct Options {
    std::string datatype;
    std::string root;
    TarBundle::PaxRecords pax_records;
    absl::Duration backoff_initial = absl::Milliseconds(100);
    absl::Duration backoff_max = absl::Minutes(5);
  };
  struct Result {
    bool uploaded = false;             // false only when cancelled (the journal keeps it)
    std::vector<std::string> done;     // Deleted, vanished or abandoned: no longer in flight.
    std::vector<std::string> reoffer;  // Changed since read, or dropped from a rebuild.
  };

  Shipper(Options options, Uploader* uploader, Journal* journal, ArchiveNamer* namer);

  Result Ship(SealedArchive& archive, const CancelToken& cancel);

 private:
  enum class Outcome { kStored, kCancelled };
  // Uploads until stored; may rename the archive on a name conflict.
  Outcome UploadUntilStored(SealedArchive& archive, const CancelToken& cancel, int* attempts);
  // For a recovered archive: is it already stored? Rebuilds the body if not.
  Outcome Resume(SealedArchive& archive, const CancelToken& cancel, Result* result,
                 bool* already_stored);
  void Rename(SealedArchive& archive);
  void DeleteFiles(const SealedArchive& archive, Result* result);

  const Options options_;
  Uploader* uploader_;
  Journal* journal_;
  ArchiveNamer* namer_;
  Backoff backoff_;
  absl::BitGen gen_;
};

}  // namespace mlab::pusher

#endif  // MLAB_SERVICES_PUSHER_SHIPPER_H_
