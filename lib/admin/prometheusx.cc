#include "lib/admin/prometheusx.h"

#include <string>

#include "glog/logging.h"
#include "lib/flags/flags.h"

namespace {

mlab::flags::Flag<std::string> FLAGS_prometheusx_listen_address(
    "prometheusx.listen-address", ":9990",
    "Address (host:port) of the HTTP server with /metrics and /health.");

}  // namespace

namespace mlab::admin {

absl::StatusOr<std::unique_ptr<AdminServer>> StartMetricsServer() {
  AdminServer::Options options;
  options.listen_address = *FLAGS_prometheusx_listen_address;
  auto server = std::make_unique<AdminServer>(options);
  if (absl::Status started = server->Start(); !started.ok()) return started;
  LOG(INFO) << "metrics on " << options.listen_address << " (port " << server->port() << ")";
  return server;
}

}  // namespace mlab::admin
