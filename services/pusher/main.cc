// pusher: bundles closed spool files into .tgz archives and uploads each exactly once to GCS,
// S3 or a local directory, deleting files only after their upload is confirmed. A drop-in
// replacement for M-Lab's Go pusher (same flags, archive names and layout, metrics).

#include <curl/curl.h>
#include <signal.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "glog/logging.h"
#include "lib/admin/prometheusx.h"
#include "lib/flags/flags.h"
#include "services/pusher/datatype_spec.h"
#include "services/pusher/node_name.h"
#include "services/pusher/pusher.h"
#include "services/pusher/spool_watcher.h"
#include "services/pusher/uploader_factory.h"

namespace {

using mlab::flags::ByteCount;
using mlab::flags::Flag;
using mlab::flags::KeyValues;

// Upstream flags, with upstream defaults except -max_file_age (2h, as M-Lab documents it).
Flag<std::string> FLAGS_directory("directory", "/var/spool",
                                  "Directory holding one subdirectory per datatype to upload.");
Flag<std::string> FLAGS_bucket(
    "bucket", "pusher-mlab-sandbox",
    "Where archives go: a GCS bucket name or gs://NAME, s3://NAME, or file:///DIR.");
Flag<std::string> FLAGS_experiment("experiment", "exp", "Experiment name (archive path and name).");
Flag<mlab::pusher::DatatypeList> FLAGS_datatype(
    "datatype", {},
    "Datatype directory to upload, as NAME or NAME=RATIO (fraction uploaded, 0-1); repeatable.");
Flag<std::string> FLAGS_mlab_node_name("mlab_node_name", "mlab4.abc0t.measurement-lab.org",
                                       "M-Lab hostname the archive names' node part comes from.");
Flag<std::string> FLAGS_node_name("node_name", "",
                                  "Node part of archive names; overrides -mlab_node_name.");
Flag<ByteCount> FLAGS_archive_size_threshold(
    "archive_size_threshold", ByteCount(20 * ByteCount::kMegabyte),
    "Upload an archive once its compressed size reaches this (decimal units: 50MB = 50e6).");
Flag<absl::Duration> FLAGS_archive_wait_time_min("archive_wait_time_min", absl::Minutes(30),
                                                 "Minimum age of an archive before upload.");
Flag<absl::Duration> FLAGS_archive_wait_time_expected(
    "archive_wait_time_expected", absl::Hours(1), "Mean (memoryless) age of an archive at upload.");
Flag<absl::Duration> FLAGS_archive_wait_time_max("archive_wait_time_max", absl::Hours(2),
                                                 "Maximum age of an archive before upload.");
Flag<absl::Duration> FLAGS_archive_wait_time(
    "archive_wait_time", absl::ZeroDuration(),
    "If set, a fixed archive age (sets the _min, _expected and _max flags at once).");
Flag<absl::Duration> FLAGS_max_file_age(
    "max_file_age", absl::Hours(2),
    "The sweep uploads any file whose mtime is older than this, even without an inotify event.");
Flag<absl::Duration> FLAGS_cleanup_interval("cleanup_interval", absl::Hours(1),
                                            "Mean (memoryless) time between sweeps.");
Flag<absl::Duration> FLAGS_cleanup_interval_max("cleanup_interval_max", absl::Hours(4),
                                                "Maximum time between sweeps.");
Flag<absl::Duration> FLAGS_sigterm_wait_time(
    "sigterm_wait_time", absl::Seconds(150),
    "After SIGTERM: upload what is held at once, keep collecting, and finish uploading within "
    "this time.");
Flag<absl::Duration> FLAGS_upload_timeout("upload_timeout", absl::Hours(1),
                                          "Limit for one upload attempt.");
Flag<KeyValues> FLAGS_metadata("metadata", {},
                               "key=value PAX records added to every archived file (k=@file "
                               "reads the value from a file); repeatable.");
Flag<bool> FLAGS_dry_run("dry_run", false,
                         "Check the flags and the backend configuration, then exit.");
Flag<std::string> FLAGS_project("project", "mlab-sandbox", "Unused; accepted for compatibility.");

// Ours.
Flag<std::string> FLAGS_journal_dir(
    "journal_dir", "",
    "Where the crash-safe journal lives (default <directory>/.pusher, outside the watched trees).");
Flag<int> FLAGS_max_pending_archives(
    "max_pending_archives", 2,
    "Sealed archives per datatype held in memory for upload; bundling pauses beyond it.");
Flag<absl::Duration> FLAGS_upload_backoff_max("upload_backoff_max", absl::Minutes(5),
                                              "Longest wait between upload retries.");
Flag<absl::Duration> FLAGS_new_directory_settle(
    "new_directory_settle", mlab::pusher::SpoolWatcher::kDefaultSettle,
    "A file found in a newly made directory (no close event seen) is taken once it has been "
    "unmodified this long, so a file still being written in place is not read half-written.");
Flag<std::string> FLAGS_gcs_endpoint(
    "gcs_endpoint", "",
    "GCS JSON API endpoint, e.g. http://127.0.0.1:4443 for an emulator (default: "
    "$STORAGE_EMULATOR_HOST, else https://storage.googleapis.com). An emulator gets no "
    "credentials unless -gcs_credentials_file is set.");
Flag<std::string> FLAGS_gcs_credentials_file(
    "gcs_credentials_file", "",
    "Service-account key file (default: $GOOGLE_APPLICATION_CREDENTIALS, else the metadata "
    "server).");
Flag<std::string> FLAGS_gce_metadata_host("gce_metadata_host", "metadata.google.internal",
                                          "Metadata server for GCS credentials without a key.");
Flag<ByteCount> FLAGS_gcs_chunk_size(
    "gcs_chunk_size", ByteCount(16 << 20),
    "Archives larger than this use a resumable upload in chunks of this size (multiple of "
    "262144); smaller ones a single request.");
Flag<std::string> FLAGS_s3_endpoint("s3_endpoint", "",
                                    "S3 endpoint URL (default https://s3.<region>.amazonaws.com).");
Flag<std::string> FLAGS_s3_region("s3_region", "us-east-1", "S3 region for SigV4 signing.");
Flag<bool> FLAGS_s3_path_style("s3_path_style", false,
                               "Address objects as ENDPOINT/BUCKET/KEY (S3-compatible servers).");

}  // namespace

int main(int argc, char** argv) {
  google::InitGoogleLogging(argv[0]);
  FLAGS_logtostderr = true;
  mlab::flags::ParseOrExit(
      argc, argv,
      "Bundles closed files under -directory/<datatype> into .tgz archives and uploads each "
      "exactly once to -bucket, deleting the files only after the upload is confirmed.");
  namespace pusher = mlab::pusher;

  auto fail = [](const absl::Status& status) {
    LOG(ERROR) << status;
    return 1;
  };
  if (FLAGS_datatype->empty()) {
    return fail(absl::InvalidArgumentError("at least one -datatype is required"));
  }
  pusher::PusherConfig config;
  config.directory = *FLAGS_directory;
  while (config.directory.size() > 1 && config.directory.back() == '/') config.directory.pop_back();
  config.journal_dir = *FLAGS_journal_dir;
  config.experiment = *FLAGS_experiment;
  if (absl::Status s = pusher::CheckUniformName("experiment", config.experiment); !s.ok()) {
    return fail(s);
  }
  config.datatypes = *FLAGS_datatype;
  for (const pusher::DatatypeSpec& spec : config.datatypes) {
    if (absl::Status s = pusher::CheckUniformName("datatype", spec.name); !s.ok()) return fail(s);
  }
  if (!FLAGS_node_name->empty()) {
    config.node = *FLAGS_node_name;
  } else {
    absl::StatusOr<std::string> node = pusher::NodeNameFromHostname(*FLAGS_mlab_node_name);
    if (!node.ok()) return fail(node.status());
    config.node = *node;
  }
  for (const auto& [key, value] : *FLAGS_metadata) config.metadata[key] = value;
  config.archive_size_threshold = FLAGS_archive_size_threshold->bytes();
  config.archive_wait = {*FLAGS_archive_wait_time_min, *FLAGS_archive_wait_time_expected,
                         *FLAGS_archive_wait_time_max};
  if (*FLAGS_archive_wait_time > absl::ZeroDuration()) {
    config.archive_wait = {*FLAGS_archive_wait_time, *FLAGS_archive_wait_time,
                           *FLAGS_archive_wait_time};
  }
  config.max_file_age = *FLAGS_max_file_age;
  config.cleanup_interval = {absl::ZeroDuration(), *FLAGS_cleanup_interval,
                             *FLAGS_cleanup_interval_max};
  config.max_pending_archives = std::max(1, *FLAGS_max_pending_archives);
  config.backoff_max = *FLAGS_upload_backoff_max;
  config.new_directory_settle = std::max(absl::ZeroDuration(), *FLAGS_new_directory_settle);

  curl_global_init(CURL_GLOBAL_DEFAULT);
  pusher::BackendOptions backend;
  backend.bucket = *FLAGS_bucket;
  backend.upload_timeout = *FLAGS_upload_timeout;
  backend.gcs_endpoint = *FLAGS_gcs_endpoint;
  backend.gcs_credentials_file = *FLAGS_gcs_credentials_file;
  backend.gce_metadata_host = *FLAGS_gce_metadata_host;
  backend.gcs_chunk_size = FLAGS_gcs_chunk_size->bytes();
  backend.s3_endpoint = *FLAGS_s3_endpoint;
  backend.s3_region = *FLAGS_s3_region;
  backend.s3_path_style = *FLAGS_s3_path_style;
  absl::StatusOr<pusher::UploaderFactory> uploaders = pusher::MakeUploaderFactory(backend);
  if (!uploaders.ok()) return fail(uploaders.status());
  if (*FLAGS_dry_run) {
    LOG(INFO) << "dry run: configuration is valid; node " << config.node;
    return 0;
  }

  // Signals are taken synchronously by this thread; every other thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  absl::StatusOr<std::unique_ptr<mlab::admin::AdminServer>> admin =
      mlab::admin::StartMetricsServer();
  if (!admin.ok()) return fail(admin.status());

  pusher::Pusher service(config, *std::move(uploaders));
  if (absl::Status s = service.Start(); !s.ok()) return fail(s);

  auto next_signal = [&signals](absl::Time until) {
    absl::Duration left = std::max(absl::ZeroDuration(), until - absl::Now());
    struct timespec ts = absl::ToTimespec(std::min(left, absl::Seconds(1)));
    return sigtimedwait(&signals, nullptr, &ts);
  };
  while (true) {
    service.UpdateGauges();
    if (next_signal(absl::InfiniteFuture()) > 0) break;
  }
  // SIGTERM: emergency upload now, keep collecting, finish within -sigterm_wait_time.
  absl::Time end = absl::Now() + *FLAGS_sigterm_wait_time;
  absl::Time collect_until = end - std::min(absl::Seconds(10), *FLAGS_sigterm_wait_time / 4);
  LOG(INFO) << "signal: uploading what is held; exiting within " << *FLAGS_sigterm_wait_time;
  service.BeginDrain();
  while (absl::Now() < collect_until) {
    service.UpdateGauges();
    if (next_signal(collect_until) > 0) {
      LOG(INFO) << "second signal: finishing now";
      break;
    }
  }
  bool all = service.FinishDrain(end);
  service.UpdateGauges();
  LOG(INFO) << (all ? "all archives uploaded; exiting"
                    : "exiting with archives pending (resumed from the journal at next start)");
  (*admin)->Stop();
  return 0;
}
