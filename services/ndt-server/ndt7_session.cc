#include "services/ndt-server/ndt7_session.h"

#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "boost/asio/post.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/asio/write.hpp"
#include "boost/beast/core/stream_traits.hpp"
#include "boost/beast/websocket.hpp"
#include "glog/logging.h"
#include "lib/uuid/process_prefix.h"
#include "lib/uuid/uuid.h"
#include "services/ndt-server/frame_parser.h"
#include "services/ndt-server/go_format.h"
#include "services/ndt-server/measurer.h"
#include "services/ndt-server/ndt7_metrics.h"
#include "services/ndt-server/payload.h"

namespace mlab::ndt7 {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using boost::system::error_code;

// Reads land in a per-connection buffer: uploads get a large one (fewer syscalls for the bulk
// data we discard), downloads a small one (clients only send the odd text message).
constexpr size_t kUploadReadChunk = size_t{256} * 1024;
constexpr size_t kDownloadReadChunk = size_t{8} * 1024;
constexpr int kUploadLowWatermark = 128 * 1024;

std::chrono::steady_clock::duration ToChrono(absl::Duration d) {
  return absl::ToChronoNanoseconds(d);
}

// A UUID that cannot collide with socket UUIDs when SO_COOKIE is unavailable (upstream falls
// back to a random UUID as well).
std::string FallbackUuid() {
  absl::BitGen gen;
  return absl::StrFormat("%s_FALLBACK%016X", uuid::ProcessPrefix(), absl::Uniform<uint64_t>(gen));
}

GoAddr PeerAddr(int fd, bool local) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  const int rc = local ? getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len)
                       : getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  if (rc != 0) addr.ss_family = AF_UNSPEC;
  return ToGoAddr(addr);
}

template <class Stream>
constexpr bool kIsTls = std::is_same_v<Stream, TlsSocket>;

template <class Stream>
class Ndt7Session : public std::enable_shared_from_this<Ndt7Session<Stream>> {
 public:
  Ndt7Session(Stream stream, HandshakeDecision decision, SessionEnv* env, OpenConn conn)
      : ws_(std::move(stream)),
        decision_(std::move(decision)),
        env_(env),
        conn_(std::move(conn)),
        tick_timer_(ws_.get_executor()),
        end_timer_(ws_.get_executor()),
        hard_timer_(ws_.get_executor()),
        protocol_(kIsTls<Stream> ? "ndt7+wss" : "ndt7+ws"),
        direction_label_(DirectionName(decision_.direction)) {
    env_->active_tests.fetch_add(1);
  }
  ~Ndt7Session() { env_->active_tests.fetch_sub(1); }

  void Start(HttpRequest request) {
    request_ = std::move(request);
    // The hard limit covers the WebSocket handshake too: nothing outlives it.
    hard_timer_.expires_after(ToChrono(env_->max_runtime));
    hard_timer_.async_wait([self = this->shared_from_this()](error_code ec) {
      if (!ec) self->OnHardDeadline();
    });
    ws_.read_message_max(kMaxMessageSize);
    // Bounds the opening and closing handshakes (TLS teardown included); no idle pings.
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = std::chrono::seconds(5);
    timeouts.idle_timeout = websocket::stream_base::none();
    timeouts.keep_alive_pings = false;
    ws_.set_option(timeouts);
    ws_.auto_fragment(false);  // One frame per message: the payload goes out without a copy.
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
      res.set(beast::http::field::sec_websocket_protocol,
              boost::beast::string_view(kSubprotocol.data(), kSubprotocol.size()));
    }));
    ws_.async_accept(request_,
                     [self = this->shared_from_this()](error_code ec) { self->OnAccepted(ec); });
  }

 private:
  int fd() { return beast::get_lowest_layer(ws_).native_handle(); }

  // Cleartext, or TLS that the kernel encrypts (kTLS).
  bool SocketTakesPlaintext() {
    if constexpr (kIsTls<Stream>) {
      return ws_.next_layer().ktls_send();
    } else {
      return true;
    }
  }

  void OnAccepted(error_code ec) {
    if (ec) {
      metrics::ClientConnections().WithLabels({direction_label_, "websocket-error"}).Increment();
      VLOG(1) << "ndt7: websocket upgrade failed: " << ec.message();
      CloseSocket();
      hard_timer_.cancel();
      return;
    }
    request_ = {};
    absl::StatusOr<std::string> id = uuid::FromSocket(uuid::ProcessPrefix(), fd());
    if (!id.ok()) {
      LOG(WARNING) << "ndt7: no socket UUID, using a random one: " << id.status();
      id = FallbackUuid();
    }
    metrics::ClientConnections().WithLabels({direction_label_, "result"}).Increment();
    const absl::Time now = absl::Now();
    const GoAddr local = PeerAddr(fd(), /*local=*/true);
    const GoAddr remote = PeerAddr(fd(), /*local=*/false);
    result_.git_short_commit = env_->git_short_commit;
    result_.version = env_->version;
    result_.server_ip = local.ip;
    result_.server_port = local.port;
    result_.client_ip = remote.ip;
    result_.client_port = remote.port;
    result_.start_time = now;
    result_.direction = decision_.direction;
    result_.data.uuid = *id;
    result_.data.client_metadata = std::move(decision_.client_metadata);
    result_.data.server_metadata = env_->server_metadata;
    result_.data.start_time = now;
    client_ = FormatHostPort(remote);

    ConnectionInfo info;
    info.client = client_;
    info.server = FormatHostPort(local);
    info.uuid = *id;
    measurer_.emplace(fd(), std::move(info), now);

    end_timer_.expires_after(ToChrono(env_->runtime));
    end_timer_.async_wait([self = this->shared_from_this()](error_code ec) {
      if (!ec) self->OnRuntimeOver();
    });
    ScheduleTick();
    read_chunk_ = decision_.direction == Direction::kUpload ? kUploadReadChunk : kDownloadReadChunk;
    if (decision_.direction == Direction::kUpload) SetReceiveLowWatermark(kUploadLowWatermark);
    receive_buffer_ = std::make_unique<char[]>(read_chunk_);
    // Downloads where the socket takes plaintext write prepared frames themselves (see
    // WriteFrame).
    if (decision_.direction == Direction::kDownload && SocketTakesPlaintext()) {
      frames_ = &FramedPayload::Get();
      const bool peer_is_local =
          remote.ip.rfind("127.", 0) == 0 || remote.ip == "::1" || remote.ip == local.ip;
      frame_write_ = ChooseFrameWrite(env_->frame_write, peer_is_local, frames_->fd() >= 0);
    }
    // Uploads bypass Beast's reader: binary payload is never unmasked, and on cleartext
    // connections it is dropped in the kernel unread. So do prepared-frame downloads: Beast's
    // reader would answer a Ping on its own, possibly in the middle of a frame we are sending.
    raw_reader_ = decision_.direction == Direction::kUpload || frames_ != nullptr;
    if (raw_reader_) {
      parser_.emplace(kMaxMessageSize);
      if constexpr (kIsTls<Stream>) {
        ReadTls();
      } else {
        error_code ignored;
        beast::get_lowest_layer(ws_).non_blocking(true, ignored);
        WaitReadable();
      }
    } else {
      ReadNext();
    }
    Pump();
  }

  // --- Measurements -------------------------------------------------------------------------

  void ScheduleTick() {
    tick_timer_.expires_after(ToChrono(NextSamplingDelay(rng_)));
    tick_timer_.async_wait([self = this->shared_from_this()](error_code ec) {
      if (!ec) self->OnTick();
    });
  }

  void OnTick() {
    if (measurer_done_ || sender_done_) return;
    // Sampled now, sent when the sender gets to it (behind at most one binary message).
    pending_ = measurer_->Measure(absl::Now());
    ScheduleTick();
    Pump();
  }

  void OnRuntimeOver() {
    // The closing handshake's few bytes must wake the reader again.
    if (decision_.direction == Direction::kUpload) SetReceiveLowWatermark(1);
    if (measurer_done_ || sender_done_) return;
    measurer_done_ = true;
    tick_timer_.cancel();
    pending_ = measurer_->Measure(absl::Now());  // The final sample at ~10 s.
    Pump();
  }

  // --- Sender -------------------------------------------------------------------------------

  // Starts the next write unless one is in flight: a due measurement first, then the close
  // once the test is over, else (download) more payload.
  void Pump() {
    if (sender_done_) return MaybeFinish();
    if (writing_) return;
    if (pending_pong_) {
      WritePong();
    } else if (close_code_ != 0) {
      WriteRawClose();
    } else if (pending_ && !peer_closed_) {
      WriteMeasurement();
    } else if (measurer_done_) {
      StartClosing();
    } else if (decision_.direction == Direction::kDownload) {
      if (frames_ != nullptr) {
        WriteFrame();
      } else {
        WriteBinary();
      }
    }
  }

  // One frame from the shared, prepared ones: one send(2) or sendfile(2) per message where the
  // socket has room (asio's writes would cut it into 64 KiB pieces). Beast's stream stays idle
  // meanwhile (writing_ serialises every write on the socket).
  void WriteFrame() {
    writing_ = true;
    frame_ = frames_->FrameFor(sizer_.size());
    SendFrame();
  }

  void SendFrame() {
    while (frame_.length > 0) {
      ssize_t n;
      if (frame_write_ == FrameWrite::kSendfile) {
        off_t offset = frame_.offset;
        n = sendfile(fd(), frames_->fd(), &offset, frame_.length);
      } else {
        n = send(fd(), frames_->data() + frame_.offset, frame_.length, MSG_NOSIGNAL | MSG_DONTWAIT);
      }
      if (n > 0) {
        frame_.offset += n;
        frame_.length -= static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        beast::get_lowest_layer(ws_).async_wait(asio::socket_base::wait_write,
                                                [self = this->shared_from_this()](error_code ec) {
                                                  if (!ec) return self->SendFrame();
                                                  self->writing_ = false;
                                                  self->SenderDone("write-prepared-message", ec);
                                                });
        return;
      }
      writing_ = false;
      return SenderDone("write-prepared-message",
                        n == 0 ? error_code(asio::error::eof)
                               : error_code(errno, boost::system::system_category()));
    }
    writing_ = false;
    app_bytes_ += static_cast<int64_t>(sizer_.size());
    sizer_.OnSent();
    // Posted, not called: a client that drains as fast as we send must not hold this thread.
    asio::post(ws_.get_executor(), [self = this->shared_from_this()] { self->Pump(); });
  }

  // TLS downloads without kTLS: Beast frames and OpenSSL encrypts the shared payload.
  void WriteBinary() {
    writing_ = true;
    ws_.binary(true);
    const size_t size = sizer_.size();
    ws_.async_write(asio::buffer(SharedPayload().data(), size),
                    [self = this->shared_from_this()](error_code ec, size_t) {
                      self->writing_ = false;
                      if (ec) return self->SenderDone("write-prepared-message", ec);
                      self->app_bytes_ += static_cast<int64_t>(self->sizer_.size());
                      self->sizer_.OnSent();
                      self->Pump();
                    });
  }

  void WriteMeasurement() {
    writing_ = true;
    sending_ = std::move(*pending_);
    pending_.reset();
    text_out_ = MeasurementToJson(sending_);
    ws_.text(true);
    ws_.async_write(asio::buffer(text_out_),
                    [self = this->shared_from_this()](error_code ec, size_t) {
                      if (ec) {
                        self->writing_ = false;
                        return self->SenderDone("write-json", ec);
                      }
                      self->OnMeasurementSent();
                    });
  }

  void OnMeasurementSent() {
    result_.data.server_measurements.push_back(std::move(sending_));
    const Measurement& sent = result_.data.server_measurements.back();
    // The Ping carries the server's clock so a client could compute an application RTT.
    const std::string now_ns = absl::StrCat(absl::ToUnixNanos(absl::Now()));
    ws_.async_ping(websocket::ping_data(now_ns.c_str()),
                   [self = this->shared_from_this()](error_code ec) {
                     self->writing_ = false;
                     if (ec) return self->SenderDone("ping-send-ticks", ec);
                     self->Pump();
                   });
    if (decision_.early_exit && sent.tcp_info &&
        static_cast<int64_t>(sent.tcp_info->linux.bytes_acked) >= kEarlyExitBytes &&
        !measurer_done_) {
      early_exit_ = true;
      measurer_done_ = true;
      tick_timer_.cancel();
    }
  }

  void StartClosing() {
    if (raw_reader_) {
      close_code_ = 1000;
      close_reason_ = "Done sending";
      return WriteRawClose();
    }
    writing_ = true;
    ws_.async_close(websocket::close_reason(websocket::close_code::normal, "Done sending"),
                    [self = this->shared_from_this()](error_code ec) {
                      self->writing_ = false;
                      VLOG(2) << "ndt7: close: " << ec.message();
                      self->SenderDone(
                          self->early_exit_ ? "measurer-closed-early" : "measurer-closed", {});
                    });
  }

  void SenderDone(const char* exit, error_code ec) {
    if (sender_done_) return MaybeFinish();  // e.g. the hard deadline came first
    sender_done_ = true;
    sender_exit_ = exit;
    if (ec) {
      sender_error_ = true;
      VLOG(1) << "ndt7 " << result_.data.uuid << ": sender " << exit << ": " << ec.message();
      // The connection is unusable: let the receiver see it now rather than at 15 s.
      CloseSocket();
    }
    tick_timer_.cancel();
    end_timer_.cancel();
    MaybeFinish();
  }

  // Fast-path writes beside Beast's (never concurrently: writing_ serialises them).
  void WritePong() {
    writing_ = true;
    pong_out_ = std::move(*pending_pong_);
    pending_pong_.reset();
    ws_.async_pong(websocket::ping_data(pong_out_.c_str()),
                   [self = this->shared_from_this()](error_code ec) {
                     self->writing_ = false;
                     if (ec) return self->SenderDone("ping-send-ticks", ec);
                     self->Pump();
                   });
  }

  void WriteRawClose() {
    writing_ = true;
    raw_out_.clear();
    raw_out_.push_back(static_cast<char>(0x88));
    raw_out_.push_back(static_cast<char>(2 + close_reason_.size()));
    raw_out_.push_back(static_cast<char>(close_code_ >> 8));
    raw_out_.push_back(static_cast<char>(close_code_ & 0xff));
    raw_out_ += close_reason_;
    close_code_ = 0;
    asio::async_write(ws_.next_layer(), asio::buffer(raw_out_),
                      [self = this->shared_from_this()](error_code ec, size_t) {
                        self->writing_ = false;
                        self->close_sent_ = true;
                        if (self->protocol_error_) {
                          // Protocol violation: the connection is over (as Beast does).
                          self->CloseSocket();
                          return self->SenderDone("write-json", ec ? ec : asio::error::eof);
                        }
                        if (self->measurer_done_) {
                          return self->SenderDone(
                              self->early_exit_ ? "measurer-closed-early" : "measurer-closed", {});
                        }
                        // The client closed first: our next message could not have gone out.
                        self->SenderDone("write-json", ec ? ec : websocket::error::closed);
                      });
  }

  void WaitReadable() {
    beast::get_lowest_layer(ws_).async_wait(
        asio::socket_base::wait_read,
        [self = this->shared_from_this()](error_code ec) { self->OnReadable(ec); });
  }

  void OnReadable(error_code ec) {
    if (ec) {
      return ReceiverDone(hard_deadline_hit_ ? "receiver-context-expired" : "read-message-type",
                          ec);
    }
    std::vector<FrameParser::Event> events;
    // Bounded, so that one fast uploader cannot starve the other connections of this loop.
    for (int round = 0; round < 32; ++round) {
      ssize_t n;
      const uint64_t before = parser_->binary_bytes();
      if (const uint64_t skip = parser_->skippable(); skip > 0) {
        // MSG_TRUNC on TCP drops the bytes in the kernel: no copy, no unmasking. The length may
        // exceed the buffer, which the kernel never writes; the raw syscall keeps the sanitizers'
        // recv interceptor (which assumes it does) from reporting an overflow.
        n = syscall(SYS_recvfrom, fd(), receive_buffer_.get(),
                    static_cast<size_t>(std::min<uint64_t>(skip, kMaxMessageSize)),
                    MSG_TRUNC | MSG_DONTWAIT, nullptr, nullptr);
        if (n > 0) parser_->Skip(static_cast<uint64_t>(n), &events);
      } else {
        n = recv(fd(), receive_buffer_.get(), read_chunk_, MSG_DONTWAIT);
        if (n > 0) parser_->Consume(absl::string_view(receive_buffer_.get(), n), &events);
      }
      if (n == 0) return ReceiverDone("read-message-type", asio::error::eof);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        return ReceiverDone("read-message-type",
                            error_code(errno, boost::system::system_category()));
      }
      if (!events.empty() && HandleFrameEvents(&events)) return;
      if (decision_.direction == Direction::kUpload) {
        app_bytes_ += static_cast<int64_t>(parser_->binary_bytes() - before);
      } else if (parser_->binary_bytes() > before || parser_->skippable() > 0) {
        IgnoreClientMessages();
      }
    }
    WaitReadable();
  }

  // TLS uploads: decrypted by OpenSSL into our buffer, then parsed like cleartext ones.
  void ReadTls() {
    ws_.next_layer().async_read_some(
        asio::buffer(receive_buffer_.get(), read_chunk_),
        [self = this->shared_from_this()](error_code ec, size_t n) {
          if (ec) {
            return self->ReceiverDone(
                self->hard_deadline_hit_ ? "receiver-context-expired" : "read-message-type", ec);
          }
          std::vector<FrameParser::Event> events;
          const uint64_t before = self->parser_->binary_bytes();
          self->parser_->Consume(absl::string_view(self->receive_buffer_.get(), n), &events);
          self->app_bytes_ += static_cast<int64_t>(self->parser_->binary_bytes() - before);
          if (!events.empty() && self->HandleFrameEvents(&events)) return;
          self->ReadTls();
        });
  }

  // Returns true when the receiver is done.
  bool HandleFrameEvents(std::vector<FrameParser::Event>* events) {
    for (FrameParser::Event& e : *events) {
      switch (e.kind) {
        case FrameParser::Event::Kind::kText: {
          if (ignoring_client_) break;
          absl::StatusOr<Measurement> m = ParseMeasurement(e.payload);
          if (!m.ok()) {
            ReceiverDone("unmarshal-client-message", {});
            return true;
          }
          result_.data.client_measurements.push_back(std::move(*m));
          break;
        }
        case FrameParser::Event::Kind::kPing:
          pending_pong_ = std::move(e.payload);
          break;
        case FrameParser::Event::Kind::kClose:
          peer_closed_ = true;
          if (!close_sent_ && !sender_done_) {
            close_code_ = e.close_code == 1005 ? 1000 : e.close_code;
            close_reason_.clear();
          }
          Pump();
          ReceiverDone("read-message-type", websocket::error::closed);
          return true;
        case FrameParser::Event::Kind::kError:
          VLOG(1) << "ndt7 " << result_.data.uuid << ": " << e.payload;
          protocol_error_ = true;
          if (!close_sent_ && !sender_done_) {
            close_code_ = e.close_code;
            close_reason_.clear();
          } else {
            CloseSocket();
          }
          Pump();
          ReceiverDone("read-message-type", websocket::error::closed);
          return true;
      }
    }
    events->clear();
    Pump();
    return false;
  }

  // --- Receiver -----------------------------------------------------------------------------

  void ReadNext() {
    ws_.async_read_some(
        asio::buffer(receive_buffer_.get(), read_chunk_),
        [self = this->shared_from_this()](error_code ec, size_t n) { self->OnRead(ec, n); });
  }

  void OnRead(error_code ec, size_t n) {
    if (ec) {
      if (hard_deadline_hit_) return ReceiverDone("receiver-context-expired", ec);
      return ReceiverDone("read-message-type", ec);
    }
    if (!ws_.got_text()) {
      if (decision_.direction == Direction::kDownload) {
        IgnoreClientMessages();
      } else {
        app_bytes_ += static_cast<int64_t>(n);
      }
    } else if (!ignoring_client_) {
      text_in_.append(receive_buffer_.get(), n);
      if (ws_.is_message_done()) {
        absl::StatusOr<Measurement> m = ParseMeasurement(text_in_);
        text_in_.clear();
        if (!m.ok()) {
          VLOG(1) << "ndt7 " << result_.data.uuid << ": bad client message: " << m.status();
          return ReceiverDone("unmarshal-client-message", {});
        }
        result_.data.client_measurements.push_back(std::move(*m));
      }
    }
    ReadNext();
  }

  // Binary from a downloading client: like upstream's receiver we stop there
  // ("wrong-message-type") and keep sending. Unlike it we go on reading and dropping what the
  // client sends, so its Pongs and its Close never meet a socket that stopped reading: closing
  // that one would reset the connection and lose the close frame still queued behind the data.
  void IgnoreClientMessages() {
    if (!ignoring_client_) VLOG(1) << "ndt7 " << result_.data.uuid << ": binary from the client";
    ignoring_client_ = true;
    text_in_ = std::string();
  }

  void ReceiverDone(const char* exit, error_code ec) {
    if (receiver_done_) return MaybeFinish();
    receiver_done_ = true;
    receiver_exit_ = ignoring_client_ ? "wrong-message-type" : exit;
    text_in_ = std::string();
    if (ec && ec != websocket::error::closed) {
      VLOG(1) << "ndt7 " << result_.data.uuid << ": receiver " << exit << ": " << ec.message();
    }
    MaybeFinish();
  }

  // --- End of the test ----------------------------------------------------------------------

  void OnHardDeadline() {
    hard_deadline_hit_ = true;
    if (!measurer_) return CloseSocket();  // Still in the WebSocket handshake.
    if (!sender_done_) {
      sender_done_ = true;
      sender_exit_ = "set-write-deadline";  // upstream: the write deadline fired
      sender_error_ = true;
    }
    CloseSocket();
    if (!receiver_done_) return;  // The aborted read completes and finishes the test.
    MaybeFinish();
  }

  // An upload reader woken for every few kilobytes spends its time switching tasks: wait for a
  // batch instead (the kernel still wakes us at once for EOF and errors).
  void SetReceiveLowWatermark(int bytes) {
    setsockopt(fd(), SOL_SOCKET, SO_RCVLOWAT, &bytes, sizeof(bytes));
  }

  void CloseSocket() {
    error_code ignored;
    beast::get_lowest_layer(ws_).shutdown(asio::socket_base::shutdown_both, ignored);
    beast::get_lowest_layer(ws_).close(ignored);
  }

  void MaybeFinish() {
    if (!sender_done_ || !receiver_done_ || finished_) return;
    if (writing_) return;  // Wait for the in-flight write to complete (it will, socket closed).
    finished_ = true;
    tick_timer_.cancel();
    end_timer_.cancel();
    hard_timer_.cancel();
    CloseSocket();
    const absl::Time now = absl::Now();
    result_.data.end_time = now;
    result_.end_time = now;

    double rate = 0;
    const auto& sm = result_.data.server_measurements;
    if (!sm.empty() && sm.back().tcp_info && sm.back().tcp_info->elapsed_time > 0) {
      const TcpInfo& t = *sm.back().tcp_info;
      const double bytes = decision_.direction == Direction::kDownload
                               ? static_cast<double>(static_cast<int64_t>(t.linux.bytes_acked))
                               : static_cast<double>(static_cast<int64_t>(t.linux.bytes_received));
      rate = 8 * bytes / static_cast<double>(t.elapsed_time);
    }
    if (rate > 0) {
      metrics::TestRate()
          .WithLabels({protocol_, direction_label_, decision_.monitoring ? "true" : "false"})
          .Observe(rate);
    }
    metrics::ClientTestResults()
        .WithLabels({protocol_, direction_label_, metrics::ResultLabel(sender_error_, rate)})
        .Increment();
    metrics::ClientSenderErrors()
        .WithLabels({protocol_, direction_label_, sender_exit_})
        .Increment();
    metrics::ClientReceiverErrors()
        .WithLabels(
            {protocol_, decision_.direction == Direction::kDownload ? "0" : "1", receiver_exit_})
        .Increment();

    TestSummary summary;
    summary.uuid = result_.data.uuid;
    summary.direction = decision_.direction;
    summary.protocol = protocol_;
    summary.client = client_;
    summary.app_bytes = app_bytes_;
    if (decision_.direction == Direction::kDownload) {
      summary.download_write = frames_ == nullptr                      ? "tls"
                               : frame_write_ == FrameWrite::kSendfile ? "sendfile"
                                                                       : "send";
      if (kIsTls<Stream> && frames_ != nullptr) summary.download_write.insert(0, "ktls+");
    }
    summary.duration = now - result_.data.start_time;
    summary.rate_mbps = rate;
    summary.sender_exit = sender_exit_;
    summary.receiver_exit = receiver_exit_;
    summary.server_measurements = static_cast<int>(sm.size());
    summary.client_measurements = static_cast<int>(result_.data.client_measurements.size());
    auto write = [env = env_, result = std::move(result_), summary = std::move(summary),
                  conn = std::make_shared<OpenConn>(std::move(conn_))]() mutable {
      conn.reset();
      if (env->writer != nullptr) {
        const std::string direction(DirectionName(summary.direction));
        auto late = [uuid = summary.uuid, direction](const absl::Status& status,
                                                     const std::string& path) {
          if (status.ok()) {
            LOG(INFO) << "ndt7 " << uuid << ": held result written: " << path;
            return;
          }
          metrics::ResultWriteErrors().WithLabels({direction}).Increment();
          LOG(ERROR) << "ndt7 " << uuid << ": held result lost: " << status;
        };
        bool held = false;
        absl::StatusOr<std::string> path =
            env->writer->Write(result, absl::Now(), std::move(late), &held);
        if (path.ok()) {
          summary.result_path = *path;
        } else if (held) {
          metrics::ResultWritesHeld().WithLabels({direction}).Increment();
          LOG(WARNING) << "ndt7 " << summary.uuid << ": cannot write result now (" << path.status()
                       << "); held in memory until there is room";
        } else {
          metrics::ResultWriteErrors().WithLabels({direction}).Increment();
          LOG(ERROR) << "ndt7 " << summary.uuid << ": cannot write result: " << path.status();
        }
      }
      LOG(INFO) << "ndt7 test uuid=" << summary.uuid
                << " direction=" << DirectionName(summary.direction)
                << " protocol=" << summary.protocol << " client=" << summary.client
                << " bytes=" << summary.app_bytes
                << (summary.download_write.empty() ? "" : " write=") << summary.download_write
                << " duration=" << absl::FormatDuration(summary.duration)
                << " rate_mbps=" << absl::StrFormat("%.1f", summary.rate_mbps)
                << " measurements=" << summary.server_measurements
                << " sender=" << summary.sender_exit << " receiver=" << summary.receiver_exit
                << " file=" << summary.result_path;
      if (env->on_test_done) env->on_test_done(summary);
    };
    if (env_->result_pool != nullptr) {
      asio::post(*env_->result_pool, std::move(write));
    } else {
      write();
    }
  }

  websocket::stream<Stream> ws_;
  HandshakeDecision decision_;
  SessionEnv* env_;
  OpenConn conn_;
  HttpRequest request_;
  asio::steady_timer tick_timer_;
  asio::steady_timer end_timer_;
  asio::steady_timer hard_timer_;
  const std::string protocol_;
  const std::string direction_label_;
  absl::InsecureBitGen rng_;

  std::optional<Measurer> measurer_;
  Ndt7Result result_;
  std::string client_;
  MessageSizer sizer_;
  std::optional<Measurement> pending_;
  Measurement sending_;
  std::string text_out_;
  std::string text_in_;
  std::unique_ptr<char[]> receive_buffer_;
  bool raw_reader_ = false;
  bool ignoring_client_ = false;  // see IgnoreClientMessages
  std::optional<FrameParser> parser_;
  const FramedPayload* frames_ = nullptr;  // set for cleartext downloads
  FrameWrite frame_write_ = FrameWrite::kSend;
  FramedPayload::Frame frame_;  // what is left of the frame being sent
  std::optional<std::string> pending_pong_;
  std::string pong_out_;
  std::string raw_out_;
  uint16_t close_code_ = 0;  // a close frame to send (fast path), 0 if none
  std::string close_reason_;
  bool close_sent_ = false;
  bool peer_closed_ = false;
  bool protocol_error_ = false;
  size_t read_chunk_ = 0;
  int64_t app_bytes_ = 0;

  bool writing_ = false;
  bool measurer_done_ = false;
  bool early_exit_ = false;
  bool sender_done_ = false;
  bool sender_error_ = false;
  bool receiver_done_ = false;
  bool hard_deadline_hit_ = false;
  bool finished_ = false;
  std::string sender_exit_;
  std::string receiver_exit_;
};

}  // namespace

template <class Stream>
void StartNdt7Session(Stream stream, HttpRequest request, HandshakeDecision decision,
                      SessionEnv* env, OpenConn conn) {
  auto session = std::make_shared<Ndt7Session<Stream>>(std::move(stream), std::move(decision), env,
                                                       std::move(conn));
  session->Start(std::move(request));
}

template void StartNdt7Session<TcpSocket>(TcpSocket, HttpRequest, HandshakeDecision, SessionEnv*,
                                          OpenConn);
template void StartNdt7Session<TlsSocket>(TlsSocket, HttpRequest, HandshakeDecision, SessionEnv*,
                                          OpenConn);

}  // namespace mlab::ndt7
