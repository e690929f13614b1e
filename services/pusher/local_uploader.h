#ifndef MLAB_SERVICES_PUSHER_LOCAL_UPLOADER_H_
#define MLAB_SERVICES_PUSHER_LOCAL_UPLOADER_H_

#include <string>

#include "services/pusher/uploader.h"

namespace mlab::pusher {

// Stores objects as files under a local directory (`file://<root>`): <root>/<object name>.
// Each object is written to <root>/.pusher-tmp/, fsynced, then linked into place, which is
// atomic and fails if the name exists (create-only); a reader never sees a partial archive.
class LocalUploader : public Uploader {
 public:
  explicit LocalUploader(std::string root);

  absl::Status Upload(const UploadRequest& request) override;
  absl::StatusOr<ObjectInfo> Stat(const std::string& object_name) override;
  std::string Describe() const override { return "file://" + root_; }

  // Removes temporaries older than `age` left by killed processes.
  static void CleanTemporaries(const std::string& root, int64_t age_seconds);

 private:
  const std::string root_;
};

}  // namespace mlab::pusher

#endif  // MLAB_SERVICES_PUSHER_LOCAL_UPLOADER_H_
