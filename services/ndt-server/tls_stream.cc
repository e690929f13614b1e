#include "services/ndt-server/tls_stream.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <sys/socket.h>

#include <cerrno>

#include "boost/asio/error.hpp"
#include "boost/asio/ssl/error.hpp"

namespace mlab::ndt7 {

namespace asio = boost::asio;
using boost::system::error_code;

// Records are read ahead into a buffer this large: one recv(2) for several records on uploads.
constexpr long kReadBuffer = 64L * 1024;  // NOLINT(google-runtime-int): OpenSSL's type

TlsStream::TlsStream(asio::ip::tcp::socket socket, SSL_CTX* ctx)
    : socket_(std::move(socket)), ssl_(SSL_new(ctx)) {
  error_code ignored;
  // OpenSSL must get EAGAIN from the socket, never block the event loop.
  socket_.non_blocking(true, ignored);
  if (ssl_ != nullptr && SSL_set_fd(ssl_.get(), socket_.native_handle()) != 1) ssl_.reset();
  if (ssl_ != nullptr) SSL_set_accept_state(ssl_.get());
}

bool TlsStream::ktls_send() const {
  return ssl_ != nullptr && BIO_get_ktls_send(SSL_get_wbio(ssl_.get()));
}

bool TlsStream::ktls_recv() const {
  return ssl_ != nullptr && BIO_get_ktls_recv(SSL_get_rbio(ssl_.get()));
}

const char* TlsStream::version() const {
  return ssl_ != nullptr ? SSL_get_version(ssl_.get()) : "none";
}

TlsStream::Step TlsStream::Try(Kind kind, asio::mutable_buffer in, asio::const_buffer out) {
  Step step;
  if (ssl_ == nullptr) {
    step.ec = asio::error::no_memory;
    return step;
  }
  if (!socket_.is_open()) {
    step.ec = asio::error::bad_descriptor;
    return step;
  }
  // Zero bytes asked: done at once, as asio's own streams do.
  if ((kind == Kind::kRead && in.size() == 0) || (kind == Kind::kWrite && out.size() == 0)) {
    return step;
  }
  ERR_clear_error();  // The error queue is per thread, shared by every connection of the loop.
  errno = 0;
  int rc = 1;
  if (kind == Kind::kHandshake) {
    rc = SSL_do_handshake(ssl_.get());
  } else {
    // A record at a time (16 KiB) through one operation each would cost an event-loop round per
    // record: go on while the socket takes more, or (reading) while records are buffered.
    auto* const in_bytes = static_cast<unsigned char*>(in.data());
    const auto* const out_bytes = static_cast<const unsigned char*>(out.data());
    const size_t size = kind == Kind::kRead ? in.size() : out.size();
    // Many records in one go are corked, so the kernel sends them in full-sized segments (and
    // on loopback wakes the reader once per segment, not per 16 KiB record) without our copying
    // them into a buffer first. Uncorked below, whatever happened.
    const bool cork = kind == Kind::kWrite && size > kRecord;
    if (cork) SetCork(true);
    while (step.bytes < size) {
      size_t n = 0;
      rc = kind == Kind::kRead
               ? SSL_read_ex(ssl_.get(), in_bytes + step.bytes, size - step.bytes, &n)
               : SSL_write_ex(ssl_.get(), out_bytes + step.bytes, size - step.bytes, &n);
      if (rc != 1) break;
      step.bytes += n;
      if (kind == Kind::kRead && SSL_has_pending(ssl_.get()) == 0) break;
    }
    if (cork) SetCork(false);
    // What moved is reported now; a stop (or an error) shows again on the next call. A record
    // OpenSSL holds after WANT_WRITE is the start of what the caller passes next, as it requires.
    if (step.bytes > 0) {
      ERR_clear_error();
      return step;
    }
  }
  if (rc == 1) return step;
  const int saved_errno = errno;
  switch (SSL_get_error(ssl_.get(), rc)) {
    case SSL_ERROR_WANT_READ:
      step.want = Want::kRead;
      break;
    case SSL_ERROR_WANT_WRITE:
      step.want = Want::kWrite;
      break;
    case SSL_ERROR_ZERO_RETURN:  // close_notify from the peer
      step.ec = asio::error::eof;
      break;
    case SSL_ERROR_SYSCALL:
      if (const unsigned long e = ERR_get_error(); e != 0) {  // NOLINT(google-runtime-int)
        step.ec = error_code(static_cast<int>(e), asio::error::get_ssl_category());
      } else if (saved_errno != 0) {
        step.ec = error_code(saved_errno, boost::system::system_category());
      } else {
        step.ec = asio::error::eof;  // TCP closed without close_notify
      }
      break;
    default:
      if (const unsigned long e = ERR_get_error();  // NOLINT(google-runtime-int)
          ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
        step.ec = asio::ssl::error::stream_truncated;
      } else if (e != 0) {
        step.ec = error_code(static_cast<int>(e), asio::error::get_ssl_category());
      } else {
        step.ec = asio::error::connection_reset;
      }
      break;
  }
  return step;
}

void TlsStream::SetCork(bool on) {
  const int value = on ? 1 : 0;
  setsockopt(socket_.native_handle(), IPPROTO_TCP, TCP_CORK, &value, sizeof(value));
}

void TlsStream::SendCloseNotify() {
  if (ssl_ == nullptr || !socket_.is_open() || !SSL_is_init_finished(ssl_.get())) return;
  ERR_clear_error();
  SSL_shutdown(ssl_.get());
  ERR_clear_error();
}

void teardown(boost::beast::role_type role, TlsStream& stream, error_code& ec) {
  stream.SendCloseNotify();
  boost::beast::websocket::teardown(role, stream.next_layer(), ec);
}

void PrepareTlsContext(SSL_CTX* ctx) {
  SSL_CTX_set_options(ctx, SSL_OP_ENABLE_KTLS | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_read_ahead(ctx, 1);
  SSL_CTX_set_default_read_buffer_len(ctx, kReadBuffer);
}

}  // namespace mlab::ndt7
