#ifndef MLAB_SERVICES_NDT_SERVER_OPEN_CONN_H_
#define MLAB_SERVICES_NDT_SERVER_OPEN_CONN_H_

#include "services/ndt-server/ndt7_metrics.h"

namespace mlab::ndt7 {

// Counts one accepted connection in netx_current_open_conns for as long as it lives; moves with
// the connection from the HTTP stage to the WebSocket test.
class OpenConn {
 public:
  OpenConn() { metrics::CurrentOpenConns().Increment(); }
  ~OpenConn() {
    if (live_) metrics::CurrentOpenConns().Decrement();
  }
  OpenConn(OpenConn&& other) noexcept : live_(other.live_) { other.live_ = false; }
  OpenConn& operator=(OpenConn&&) = delete;
  OpenConn(const OpenConn&) = delete;

 private:
  bool live_ = true;
};

}  // namespace mlab::ndt7

#endif  // MLAB_SERVICES_NDT_SERVER_OPEN_CONN_H_
