#include "services/packet-headers/flow_saver.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "glog/logging.h"
#include "services/packet-headers/pcap_format.h"
#include "services/packet-headers/ph_metrics.h"

namespace mlab::packet_headers {
namespace {

// Streamed output is written in pieces of about this size.
constexpr size_t kStreamWriteBytes = 64 * 1024;

}  // namespace

FlowSaver::FlowSaver(std::string uuid, absl::Time date, std::string label, Options options)
    : uuid_(std::move(uuid)),
      date_(date),
      label_(std::move(label)),
      options_(options),
      gz_(options.compression_level) {}

FlowSaver::~FlowSaver() {
  // Whatever is still charged goes with us (e.g. a saver dropped at shutdown).
  absl::MutexLock lock(&mu_);
  for (const Chunk& chunk : queue_) options_.budget->Release(chunk.charged);
  if (out_charged_ > 0) options_.budget->Release(out_charged_);
  if (state_charged_) options_.budget->Release(PcapGzWriter::kStateBytes);
}

void FlowSaver::Append(std::string records, int64_t charged, uint32_t snaplen, uint64_t packets,
                       uint64_t wire_bytes) {
  absl::MutexLock lock(&mu_);
  queue_.push_back(Chunk{std::move(records), charged, snaplen, packets, wire_bytes});
  ScheduleLocked();
}

void FlowSaver::Finish() {
  absl::MutexLock lock(&mu_);
  finish_requested_ = true;
  ScheduleLocked();
}

void FlowSaver::ScheduleLocked() {
  if (scheduled_) return;
  scheduled_ = true;
  // The pool may run the task inline; it takes mu_ itself, so schedule after unlocking.
  mu_.Unlock();
  options_.pool->Schedule([self = shared_from_this()] { self->Run(); });
  mu_.Lock();
}

void FlowSaver::Run() {
  while (true) {
    std::deque<Chunk> work;
    bool finish = false;
    {
      absl::MutexLock lock(&mu_);
      if (queue_.empty()) {
        if (!finish_requested_) {
          scheduled_ = false;
          return;
        }
        finish = true;
        finish_requested_ = false;
      }
      work.swap(queue_);
    }
    for (Chunk& chunk : work) Process(chunk);
    if (finish) {
      Complete();
      absl::MutexLock lock(&mu_);
      scheduled_ = false;
      return;
    }
  }
}

void FlowSaver::Process(Chunk& chunk) {
  packets_ += chunk.packets;
  wire_bytes_ += chunk.wire_bytes;
  if (!failed_) {
    absl::Status status;
    if (!header_written_) {
      header_written_ = true;
      status = gz_.Write(PcapFileHeader(chunk.snaplen), &out_);
    }
    if (status.ok()) status = gz_.Write(chunk.records, &out_);
    if (!status.ok()) {
      Fail(options_.stream ? "streaming" : "writefinal", status);
    } else if (options_.stream) {
      if (file_ == nullptr) {
        absl::StatusOr<std::unique_ptr<spool::SpoolFile>> file =
            options_.spool->Create(date_, absl::StrCat(uuid_, ".pcap.gz"));
        if (!file.ok()) {
          Fail("fileopen", file.status());
        } else {
          file_ = std::move(*file);
        }
      }
      if (file_ != nullptr && out_.size() >= kStreamWriteBytes) {
        if (absl::Status s = file_->Write(out_); !s.ok()) Fail("streaming", s);
        out_.clear();
      }
    }
  }
  // The raw records are compressed (or dropped): their memory goes back.
  options_.budget->Release(chunk.charged);
  chunk.charged = 0;
  std::string().swap(chunk.records);
  AccountOutput();
}

void FlowSaver::Complete() {
  Metrics& m = GetMetrics();
  if (!failed_ && header_written_) {
    absl::Status status = gz_.Finish(&out_);
    const char* reason = options_.stream ? "streaming" : "writefinal";
    std::string path;
    uint64_t file_bytes = 0;
    if (status.ok() && options_.stream) {
      if (file_ == nullptr) {
        status = absl::InternalError("no file");
      } else {
        status = file_->Write(out_);
        if (status.ok()) {
          file_bytes = file_->bytes_written();
          path = file_->final_path();
          status = file_->Commit();
        }
      }
    } else if (status.ok()) {
      file_bytes = out_.size();
      const std::string name = absl::StrCat(uuid_, ".pcap.gz");
      absl::StatusOr<std::string> final_path = options_.spool->FinalPath(date_, name);
      path = final_path.ok() ? *final_path : name;
      status = options_.spool->WriteFile(date_, name, out_).status();
    }
    if (status.ok()) {
      m.files.Increment();
      m.file_packets.Add(static_cast<double>(packets_));
      m.file_bytes.Add(static_cast<double>(file_bytes));
      LOG(INFO) << "flow saved uuid=" << uuid_ << " packets=" << packets_
                << " bytes=" << wire_bytes_ << " file_bytes=" << file_bytes << " file=" << path
                << " flow=" << label_;
    } else {
      Fail(reason, status);
    }
  }
  file_.reset();  // an uncommitted staged file is removed
  std::string().swap(out_);
  AccountOutput();
  if (state_charged_) {
    options_.budget->Release(PcapGzWriter::kStateBytes);
    state_charged_ = false;
  }
}

void FlowSaver::Fail(const char* reason, const absl::Status& status) {
  if (failed_) return;
  failed_ = true;
  GetMetrics().saver_errors.WithLabels({reason}).Increment();
  LOG(WARNING) << "flow not saved uuid=" << uuid_ << " reason=" << reason << " error=\"" << status
               << "\" flow=" << label_;
}

void FlowSaver::AccountOutput() {
  const int64_t now = static_cast<int64_t>(out_.capacity());
  if (now > out_charged_) {
    options_.budget->Charge(now - out_charged_);
  } else if (now < out_charged_) {
    options_.budget->Release(out_charged_ - now);
  }
  out_charged_ = now;
}

}  // namespace mlab::packet_headers
