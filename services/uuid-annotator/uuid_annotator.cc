#include "services/uuid-annotator/uuid_annotator.h"

#include <unistd.h>

#include <climits>
#include <filesystem>
#include <utility>

#include "absl/strings/str_cat.h"
#include "glog/logging.h"
#include "services/uuid-annotator/annotator_metrics.h"
#include "services/uuid-annotator/mlab_hostname.h"

namespace mlab::uuid_annotator {
namespace {

// Resolves a relative datadir against the working directory, so the spool's staging directory
// (a sibling of the datadir) is never inside it.
std::string Absolute(const std::string& path) {
  if (!path.empty() && path[0] == '/') return path;
  char cwd[PATH_MAX];
  if (getcwd(cwd, sizeof(cwd)) == nullptr) return path;
  if (path.empty() || path == ".") return cwd;
  std::string rel = path;
  while (rel.size() > 2 && rel.compare(0, 2, "./") == 0) rel = rel.substr(2);
  return absl::StrCat(cwd, "/", rel);
}

}  // namespace

UuidAnnotator::UuidAnnotator(Config config) : config_(std::move(config)) {}

UuidAnnotator::~UuidAnnotator() { Stop(); }

absl::Status UuidAnnotator::Start() {
  metrics::RegisterAll();
  if (absl::Status s = ReloadScheduler::Check(config_.reload); !s.ok()) return s;
  if (config_.event_buffer_size < 1) {
    return absl::InvalidArgumentError("-eventbuffersize must be at least 1");
  }

  // Created first, since pusher fails without it (upstream PR #56).
  datadir_ = Absolute(config_.datadir);
  spool_ = std::make_unique<spool::SpoolDir>(datadir_);
  if (absl::Status s = spool_->Init(); !s.ok()) return s;

  struct Source {
    const char* name;
    const std::string& url;
    std::function<DatasetLoader::Parser()> parser;
  };
  std::string site_key;
  if (!config_.siteinfo_url.empty()) {
    absl::StatusOr<MlabHostname> host = ParseMlabHostname(config_.hostname);
    if (!host.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("-hostname must be an M-Lab machine name to look up siteinfo: ",
                       host.status().message()));
    }
    site_key = host->StringWithService();
  } else {
    LOG(WARNING) << "no -siteinfo.url: Server annotations stay empty";
  }
  const std::vector<Source> sources = {
      {"siteinfo", config_.siteinfo_url, [&] { return SiteInfoParser(site_key); }},
      {"maxmind", config_.maxmind_url, [] { return MaxMindParser(); }},
      {"routeview-v4", config_.routeview_v4_url, [] { return RouteViewsParser(false); }},
      {"routeview-v6", config_.routeview_v6_url, [] { return RouteViewsParser(true); }},
      {"asname", config_.asname_url, [] { return AsNamesParser(); }},
  };
  for (const Source& source : sources) {
    if (source.url.empty()) {
      if (std::string(source.name) != "siteinfo") {
        LOG(WARNING) << "no URL for dataset " << source.name << ": its annotations are Missing";
      }
      continue;
    }
    absl::StatusOr<std::unique_ptr<DataSource>> data = DataSource::FromUrl(source.url);
    if (!data.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("dataset ", source.name, ": ", data.status().message()));
    }
    loaders_.push_back(
        std::make_unique<DatasetLoader>(source.name, *std::move(data), source.parser(), &store_));
    // The first load must succeed, as upstream requires: annotating without data would write
    // wrong files silently.
    if (absl::Status s = loaders_.back()->Load(); !s.ok()) return s;
  }

  locals_ = std::make_unique<LocalAddresses>(config_.interface_addresses);
  if (absl::Status s = locals_->Refresh(); !s.ok()) return s;
  std::string addresses;
  for (const IpAddress& ip : locals_->addresses()) absl::StrAppend(&addresses, " ", ip.ToString());
  LOG(INFO) << "local addresses:" << addresses;
  if (auto data = store_.Get(); data->site != nullptr) {
    for (const IpAddress& ip : data->site->load_balancer_addresses()) {
      LOG(INFO) << "virtual site: load balancer address " << ip.ToString() << " is local";
    }
  }

  if (!config_.annotator_socket.empty()) {
    grpc_server_ = std::make_unique<AnnotatorServer>(&store_, config_.annotator_socket);
    if (absl::Status s = grpc_server_->Start(); !s.ok()) {
      return absl::Status(s.code(), absl::StrCat("-annotator.socket: ", s.message()));
    }
  }
  if (!config_.ipservice_socket.empty()) {
    ip_service_ = std::make_unique<IpService>(&store_, config_.ipservice_socket);
    if (absl::Status s = ip_service_->Start(); !s.ok()) {
      return absl::Status(s.code(), absl::StrCat("-ipservice.sock: ", s.message()));
    }
  }

  annotator_ = std::make_unique<FlowAnnotator>(&store_, locals_.get());
  if (!config_.event_socket.empty()) {
    AnnotationWriter::Options options;
    options.queue_size = static_cast<size_t>(config_.event_buffer_size);
    // A hidden sibling of the datadir, like the spool's staging directory: on the same volume,
    // outside every tree pusher uploads.
    options.annotated_log =
        (std::filesystem::path(datadir_).parent_path() / ".uuid-annotator" / "annotated.log")
            .string();
    writer_ = std::make_unique<AnnotationWriter>(annotator_.get(), spool_.get(), options);
    writer_->Start();
    events::FlowEventSubscriber::Options sub_options;
    sub_options.client_name = "uuid-annotator";
    subscriber_ = std::make_unique<events::FlowEventSubscriber>(config_.event_socket, writer_.get(),
                                                                sub_options);
    if (absl::Status s = subscriber_->Start(); !s.ok()) return s;
    LOG(INFO) << "annotating flows from " << config_.event_socket << " into " << datadir_;
  } else {
    LOG(WARNING) << "no -tcpinfo.eventsocket: stand-alone mode, no annotation files";
  }

  scheduler_ = std::make_unique<ReloadScheduler>(config_.reload, [this] { ReloadNow(); });
  scheduler_->Start();
  return absl::OkStatus();
}

int UuidAnnotator::ReloadNow() {
  int failed = 0;
  // Each dataset on its own: one bad source never holds back the others.
  for (const auto& loader : loaders_) {
    if (!loader->Load().ok()) ++failed;
  }
  return failed;
}

void UuidAnnotator::TriggerReload() {
  if (scheduler_ != nullptr) scheduler_->TriggerNow();
}

void UuidAnnotator::Stop() {
  if (stopped_) return;
  stopped_ = true;
  if (subscriber_ != nullptr) subscriber_->Stop();
  if (writer_ != nullptr) writer_->Stop();
  if (scheduler_ != nullptr) scheduler_->Stop();
  if (ip_service_ != nullptr) ip_service_->Shutdown();
  if (grpc_server_ != nullptr) grpc_server_->Shutdown();
}

}  // namespace mlab::uuid_annotator
