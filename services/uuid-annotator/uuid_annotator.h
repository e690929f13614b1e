// The whole uuid-annotator service, wired from its configuration: datasets and their reloads,
// the annotation writer fed by the FlowEvents subscriber, and the two annotation services.
#ifndef MLAB_SERVICES_UUID_ANNOTATOR_UUID_ANNOTATOR_H_
#define MLAB_SERVICES_UUID_ANNOTATOR_UUID_ANNOTATOR_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "lib/events/subscriber.h"
#include "lib/spool/spool_dir.h"
#include "services/uuid-annotator/annotation_writer.h"
#include "services/uuid-annotator/annotator_service.h"
#include "services/uuid-annotator/dataset_loader.h"
#include "services/uuid-annotator/datasets.h"
#include "services/uuid-annotator/flow_annotator.h"
#include "services/uuid-annotator/ip_service.h"
#include "services/uuid-annotator/local_addresses.h"
#include "services/uuid-annotator/reload_scheduler.h"

namespace mlab::uuid_annotator {

struct Config {
  std::string datadir = ".";
  // -hostname; needed (and must parse as an M-Lab name) only with a siteinfo URL.
  std::string hostname;
  // Dataset URLs; an empty one is not loaded (its annotations are Missing / left out).
  std::string maxmind_url;
  std::string routeview_v4_url;
  std::string routeview_v6_url;
  std::string asname_url;
  std::string siteinfo_url;
  int event_buffer_size = 1000;
  ReloadScheduler::Config reload;
  // "" disables each of these.
  std::string event_socket;
  std::string ipservice_socket;
  std::string annotator_socket;
  // Tests substitute the machine's interface addresses.
  LocalAddresses::Reader interface_addresses = ReadInterfaceAddresses;
};

class UuidAnnotator {
 public:
  explicit UuidAnnotator(Config config);
  ~UuidAnnotator();  // Stop()

  // Loads every configured dataset (any failure is returned: upstream exits then too), creates
  // the datadir, and starts the services and the event subscription.
  absl::Status Start();

  // Reloads every dataset now (SIGHUP); failures keep the data in use. Returns how many failed.
  int ReloadNow();
  // Asks the scheduler thread to reload soon, without waiting (safe from a signal loop).
  void TriggerReload();

  // Stops the subscription, writes what is queued, stops the services. Idempotent.
  void Stop();

  const DatasetStore& store() const { return store_; }
  AnnotationWriter* writer() { return writer_.get(); }
  const std::string& datadir() const { return datadir_; }

 private:
  const Config config_;
  std::string datadir_;  // Absolute.
  DatasetStore store_;
  std::unique_ptr<LocalAddresses> locals_;
  std::vector<std::unique_ptr<DatasetLoader>> loaders_;
  std::unique_ptr<spool::SpoolDir> spool_;
  std::unique_ptr<FlowAnnotator> annotator_;
  std::unique_ptr<AnnotationWriter> writer_;
  std::unique_ptr<events::FlowEventSubscriber> subscriber_;
  std::unique_ptr<AnnotatorServer> grpc_server_;
  std::unique_ptr<IpService> ip_service_;
  std::unique_ptr<ReloadScheduler> scheduler_;
  bool stopped_ = false;
};

}  // namespace mlab::uuid_annotator

#endif  // MLAB_SERVICES_UUID_ANNOTATOR_UUID_ANNOTATOR_H_
