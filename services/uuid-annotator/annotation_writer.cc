#include "services/uuid-annotator/annotation_writer.h"

#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "glog/logging.h"
#include "lib/events/flow_event.h"
#include "services/uuid-annotator/annotator_metrics.h"

namespace mlab::uuid_annotator {
namespace {

using annotation::ClientAnnotations;

const char* DirectionName(Direction d) {
  switch (d) {
    case Direction::kSrcIsServer:
      return "src-is-server";
    case Direction::kDstIsServer:
      return "dst-is-server";
    default:
      return "unknown";
  }
}

}  // namespace

AnnotationWriter::AnnotationWriter(const FlowAnnotator* annotator, const spool::SpoolDir* spool,
                                   Options options)
    : annotator_(annotator),
      options_(std::move(options)),
      annotated_(options_.annotated_log),
      files_(spool, options_.retry) {
  metrics::MissedUuids().WithLabels({"pipefull"});
  metrics::MissedUuids().WithLabels({"writefail"});
}

AnnotationWriter::~AnnotationWriter() { Stop(); }

void AnnotationWriter::Start() {
  absl::MutexLock lock(&annotated_mu_);
  if (!options_.annotated_log.empty()) {
    if (absl::Status s = annotated_.Load(absl::Now()); !s.ok()) {
      LOG(ERROR) << "annotated UUIDs will not survive a restart: " << s;
    } else {
      LOG(INFO) << "remembering annotated UUIDs in " << annotated_.path() << " ("
                << annotated_.size() << " from the last 48 h)";
    }
  }
  worker_ = std::thread([this] { Run(); });
}

void AnnotationWriter::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (worker_.joinable()) worker_.join();
  files_.Stop();  // One last attempt at what a full disk refused.
}

bool AnnotationWriter::Annotated(const std::string& uuid) {
  absl::MutexLock lock(&annotated_mu_);
  return annotated_.Contains(uuid);
}

void AnnotationWriter::Remember(const std::string& uuid) {
  absl::MutexLock lock(&annotated_mu_);
  if (absl::Status s = annotated_.Record(uuid, absl::Now()); !s.ok()) {
    LOG(ERROR) << "could not remember " << uuid << " as annotated: " << s;
  }
}

void AnnotationWriter::HeldWriteDone(const std::string& uuid, const absl::Status& status) {
  if (status.ok() || absl::IsAlreadyExists(status)) Remember(uuid);
  absl::MutexLock lock(&mu_);
  if (status.ok()) {
    ++stats_.written;
    metrics::AnnotationsWritten().Increment();
    LOG(INFO) << "annotation uuid=" << uuid << " written after being held";
  } else if (absl::IsAlreadyExists(status)) {
    ++stats_.already_annotated;
    metrics::AlreadyAnnotated().Increment();
  } else {
    ++stats_.write_failed;
    metrics::MissedUuids().WithLabels({"writefail"}).Increment();
    LOG(ERROR) << "could not write the held annotation of " << uuid << ": " << status;
  }
}

void AnnotationWriter::OnOpen(const events::FlowEvent& event) {
  const std::string& uuid = event.uuid();
  const char* malformed = nullptr;
  if (uuid.empty()) {
    malformed = "no-uuid";
  } else if (!spool::ValidateName(absl::StrCat(uuid, ".json")).ok()) {
    malformed = "bad-uuid";
  }
  if (malformed != nullptr) {
    metrics::MalformedEvents().WithLabels({malformed}).Increment();
    LOG(WARNING) << "ignoring Open event with " << malformed << ": \"" << absl::CEscape(uuid)
                 << "\"";
    absl::MutexLock lock(&mu_);
    ++stats_.malformed;
    return;
  }
  Job job;
  job.uuid = uuid;
  if (event.has_timestamp()) {
    job.timestamp = events::EventTime(event);
  } else {
    // Dated by arrival rather than filed under 1970.
    job.timestamp = absl::Now();
    metrics::MalformedEvents().WithLabels({"no-timestamp"}).Increment();
  }
  if (event.has_id()) {
    job.src_ip = event.id().src_ip();
    job.dst_ip = event.id().dst_ip();
  } else {
    // Still annotated, with empty Server and Client, like a flow of unknown direction.
    metrics::MalformedEvents().WithLabels({"no-socket-id"}).Increment();
    LOG(WARNING) << "Open event for " << uuid << " has no socket id";
  }
  absl::MutexLock lock(&mu_);
  if (!event.has_id() || !event.has_timestamp()) ++stats_.malformed;
  if (queue_.size() >= options_.queue_size) {
    ++stats_.dropped;
    metrics::MissedUuids().WithLabels({"pipefull"}).Increment();
    LOG(WARNING) << "annotation queue full (" << options_.queue_size << "): dropping " << uuid;
    return;
  }
  queue_.push_back(std::move(job));
}

void AnnotationWriter::Run() {
  while (true) {
    Job job;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]()
                       ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_ || !queue_.empty(); };
      mu_.Await(absl::Condition(&ready));
      if (queue_.empty()) return;  // Stopping, and everything is written.
      job = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
    }
    Write(job);
    absl::MutexLock lock(&mu_);
    busy_ = false;
  }
}

void AnnotationWriter::Write(const Job& job) {
  if (Annotated(job.uuid)) {  // a replayed Open of a flow annotated before a restart
    absl::MutexLock lock(&mu_);
    ++stats_.already_annotated;
    metrics::AlreadyAnnotated().Increment();
    LOG(INFO) << "annotation uuid=" << job.uuid << " already written before a restart; kept";
    return;
  }
  FlowAnnotation flow = annotator_->Annotate(job.uuid, job.timestamp, job.src_ip, job.dst_ip);
  if (flow.errors > 0) metrics::AnnotationErrors().Add(flow.errors);
  if (flow.direction == Direction::kUnknown) {
    metrics::UnknownDirection().Increment();
    LOG(WARNING) << "unknown direction for " << job.uuid << ": neither " << job.src_ip << " nor "
                 << job.dst_ip << " is a local address";
  }
  const std::string json = ToJson(flow.annotations);
  bool held = false;
  const absl::Status status =
      files_
          .Write(
              job.timestamp, absl::StrCat(job.uuid, ".json"), json,
              [this, uuid = job.uuid](const absl::Status& late, const std::string& /*path*/) {
                HeldWriteDone(uuid, late);
              },
              &held)
          .status();
  if (status.ok() || absl::IsAlreadyExists(status)) Remember(job.uuid);
  const ClientAnnotations& client = flow.annotations.client;
  const char* geo = !client.geo ? (flow.direction == Direction::kUnknown ? "none" : "error")
                    : client.geo->missing ? "missing"
                                          : "found";
  std::string asn = "none";
  if (client.network) {
    asn = client.network->missing ? "missing" : absl::StrCat(client.network->as_number);
  }
  absl::MutexLock lock(&mu_);
  if (status.ok()) {
    ++stats_.written;
    metrics::AnnotationsWritten().Increment();
    LOG(INFO) << "annotation uuid=" << job.uuid << " client_ip=" << flow.client_ip
              << " direction=" << DirectionName(flow.direction) << " geo=" << geo << " asn=" << asn
              << " site=" << flow.annotations.server.site;
  } else if (absl::IsAlreadyExists(status)) {
    ++stats_.already_annotated;
    metrics::AlreadyAnnotated().Increment();
    LOG(INFO) << "annotation uuid=" << job.uuid << " already written; kept";
  } else if (held) {
    ++stats_.held;
    metrics::AnnotationsHeld().Increment();
    LOG(WARNING) << "annotation uuid=" << job.uuid
                 << " held in memory until there is room: " << status;
  } else {
    ++stats_.write_failed;
    metrics::MissedUuids().WithLabels({"writefail"}).Increment();
    LOG(ERROR) << "could not write the annotation of " << job.uuid << ": " << status;
  }
}

size_t AnnotationWriter::queue_length() const {
  absl::MutexLock lock(&mu_);
  return queue_.size();
}

AnnotationWriter::Stats AnnotationWriter::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

bool AnnotationWriter::WaitIdle(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto idle = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return queue_.empty() && !busy_; };
  return mu_.AwaitWithTimeout(absl::Condition(&idle), timeout);
}

}  // namespace mlab::uuid_annotator
