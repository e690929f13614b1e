#ifndef MLAB_SERVICES_NDT_SERVER_TLS_STREAM_H_
#define MLAB_SERVICES_NDT_SERVER_TLS_STREAM_H_

// The server side of a TLS connection, as a Beast stream. OpenSSL reads and writes the TCP
// socket itself (a socket BIO, where asio::ssl puts a memory BIO in between), so that
//  - with SSL_OP_ENABLE_KTLS on the context, OpenSSL hands the record layer to the kernel (kTLS)
//    when the kernel offers it; the socket then takes plaintext (send, sendfile) and the kernel
//    encrypts, and
//  - without kTLS, records go straight from OpenSSL's buffer to the socket: no extra copy and
//    no 17 KiB slicing of large writes.

#include <openssl/ssl.h>

#include <cstddef>
#include <memory>
#include <utility>

#include "boost/asio/buffer.hpp"
#include "boost/asio/compose.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/post.hpp"
#include "boost/beast/core/bind_handler.hpp"
#include "boost/beast/core/buffers_prefix.hpp"
#include "boost/beast/core/role.hpp"
#include "boost/beast/websocket/teardown.hpp"
#include "boost/system/error_code.hpp"

namespace mlab::ndt7 {

class TlsStream {
 public:
  using executor_type = boost::asio::ip::tcp::socket::executor_type;
  using next_layer_type = boost::asio::ip::tcp::socket;

  // Takes the accepted socket; `ctx` must outlive the stream. A stream whose SSL object could
  // not be made fails its handshake.
  TlsStream(boost::asio::ip::tcp::socket socket, SSL_CTX* ctx);
  TlsStream(TlsStream&&) noexcept = default;
  TlsStream& operator=(TlsStream&&) noexcept = default;
  ~TlsStream() = default;

  executor_type get_executor() { return socket_.get_executor(); }
  next_layer_type& next_layer() { return socket_; }
  const next_layer_type& next_layer() const { return socket_; }

  // Whether the kernel encrypts what is written to / decrypts what is read from the socket
  // (known once the handshake is done).
  bool ktls_send() const;
  bool ktls_recv() const;
  // "TLSv1.3" and the like, for logs.
  const char* version() const;

  // Handler: void(error_code).
  template <class Handler>
  auto async_handshake(Handler&& handler) {
    return boost::asio::async_compose<Handler, void(boost::system::error_code)>(
        Op<Kind::kHandshake>(this, {}, {}), handler, socket_);
  }

  // Handler: void(error_code, size_t). Reads into the first buffer of the sequence.
  template <class MutableBuffers, class Handler>
  auto async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    return boost::asio::async_compose<Handler, void(boost::system::error_code, std::size_t)>(
        Op<Kind::kRead>(this, FirstBuffer(buffers), {}), handler, socket_);
  }

  // Handler: void(error_code, size_t). Writes the first buffer, as many records of it as the
  // socket takes; a small first buffer (a WebSocket frame header) is gathered with what follows
  // into one record instead.
  template <class ConstBuffers, class Handler>
  auto async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    return boost::asio::async_compose<Handler, void(boost::system::error_code, std::size_t)>(
        Op<Kind::kWrite>(this, {}, Gather(buffers)), handler, socket_);
  }

  // Sends close_notify if the socket takes it now; never waits (the socket is closed next).
  void SendCloseNotify();

 private:
  enum class Kind { kHandshake, kRead, kWrite };
  enum class Want { kNothing, kRead, kWrite };
  // One non-blocking attempt of OpenSSL: done (bytes or an error), or what to wait for.
  struct Step {
    Want want = Want::kNothing;
    std::size_t bytes = 0;
    boost::system::error_code ec;
  };
  Step Try(Kind kind, boost::asio::mutable_buffer in, boost::asio::const_buffer out);
  void SetCork(bool on);

  template <class MutableBuffers>
  static boost::asio::mutable_buffer FirstBuffer(const MutableBuffers& buffers) {
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers); ++it) {
      boost::asio::mutable_buffer b(*it);
      if (b.size() > 0) return b;
    }
    return {};
  }

  // The first buffer when it fills a record on its own, else up to a record copied to gather_.
  template <class ConstBuffers>
  boost::asio::const_buffer Gather(const ConstBuffers& buffers) {
    auto it = boost::asio::buffer_sequence_begin(buffers);
    const auto end = boost::asio::buffer_sequence_end(buffers);
    while (it != end && boost::asio::buffer_size(*it) == 0) ++it;
    if (it == end) return {};
    const boost::asio::const_buffer first = *it;
    if (first.size() >= kRecord || std::next(it) == end) return first;
    if (!gather_) gather_ = std::make_unique<char[]>(kRecord);
    const std::size_t n = boost::asio::buffer_copy(boost::asio::buffer(gather_.get(), kRecord),
                                                   boost::beast::buffers_prefix(kRecord, buffers));
    return {gather_.get(), n};
  }

  // A composed operation: tries OpenSSL, waits on the socket for what it asks, tries again.
  template <Kind K>
  class Op {
   public:
    Op(TlsStream* stream, boost::asio::mutable_buffer in, boost::asio::const_buffer out)
        : stream_(stream), in_(in), out_(out) {}

    template <class Self>
    void operator()(Self& self, boost::system::error_code ec = {}, std::size_t bytes = 0) {
      if (delivering_ || ec) return Complete(self, ec, bytes);
      const Step step = stream_->Try(K, in_, out_);
      if (step.want != Want::kNothing) {
        waited_ = true;
        stream_->socket_.async_wait(step.want == Want::kRead ? boost::asio::socket_base::wait_read
                                                             : boost::asio::socket_base::wait_write,
                                    std::move(self));
        return;
      }
      if (waited_) return Complete(self, step.ec, step.bytes);
      // Done without waiting: a handler must never run inside the call that started it.
      delivering_ = true;
      boost::asio::post(stream_->socket_.get_executor(),
                        boost::beast::bind_front_handler(std::move(self), step.ec, step.bytes));
    }

   private:
    template <class Self>
    static void Complete(Self& self, boost::system::error_code ec, std::size_t bytes) {
      if constexpr (K == Kind::kHandshake) {
        self.complete(ec);
      } else {
        self.complete(ec, bytes);
      }
    }

    TlsStream* stream_;
    boost::asio::mutable_buffer in_;
    boost::asio::const_buffer out_;
    bool waited_ = false;
    bool delivering_ = false;
  };

  struct SslFree {
    void operator()(SSL* ssl) const { SSL_free(ssl); }
  };

  static constexpr std::size_t kRecord = std::size_t{16} * 1024;  // TLS's largest plaintext record

  boost::asio::ip::tcp::socket socket_;
  std::unique_ptr<SSL, SslFree> ssl_;
  std::unique_ptr<char[]> gather_;
};

// Beast's WebSocket closing handshake ends with these (found by argument-dependent lookup):
// close_notify, then the TCP teardown.
void teardown(boost::beast::role_type role, TlsStream& stream, boost::system::error_code& ec);

template <class Handler>
void async_teardown(boost::beast::role_type role, TlsStream& stream, Handler&& handler) {
  stream.SendCloseNotify();
  boost::beast::websocket::async_teardown(role, stream.next_layer(),
                                          std::forward<Handler>(handler));
}

// Sets what TlsStream needs on a server context: kTLS where the kernel has it, reads ahead.
void PrepareTlsContext(SSL_CTX* ctx);

}  // namespace mlab::ndt7

#endif  // MLAB_SERVICES_NDT_SERVER_TLS_STREAM_H_
