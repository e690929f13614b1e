#include "services/ndt-server/ndt7_metrics.h"

#include <cstdlib>
#include <string>

namespace mlab::ndt7::metrics {

using mlab::metrics::CounterFamily;
using mlab::metrics::GaugeFamily;
using mlab::metrics::HistogramFamily;

CounterFamily& ClientConnections() {
  static CounterFamily& f = mlab::metrics::NewCounterFamily(
      "ndt7_client_connections_total",
      "Count of clients that connect and setup an ndt7 measurement.", {"direction", "status"});
  return f;
}

CounterFamily& ClientTestResults() {
  static CounterFamily& f = mlab::metrics::NewCounterFamily(
      "ndt7_client_test_results_total",
      "Number of client-connections for NDT tests run by this server.",
      {"protocol", "direction", "result"});
  return f;
}

CounterFamily& ClientSenderErrors() {
  static CounterFamily& f = mlab::metrics::NewCounterFamily(
      "ndt7_client_sender_errors_total", "Number of sender errors on all return paths.",
      {"protocol", "direction", "error"});
  return f;
}

CounterFamily& ClientReceiverErrors() {
  static CounterFamily& f = mlab::metrics::NewCounterFamily(
      "ndt7_client_receiver_errors_total", "Number of receiver errors on all return paths.",
      {"protocol", "direction", "error"});
  return f;
}

CounterFamily& BbrEnabled() {
  static CounterFamily& f = mlab::metrics::NewCounterFamily(
      "ndt7_measurer_bbr_enabled_total",
      "A counter of every attempt to enable bbr on ndt7 connections.", {"status", "error"});
  return f;
}

HistogramFamily& TestRate() {
  static HistogramFamily& f = mlab::metrics::NewHistogramFamily(
      "ndt_test_rate_mbps", "A histogram of request rates.",
      {"protocol", "direction", "monitoring"},
      {.1, .15, .25, .4, .6, 1, 1.5, 2.5, 4, 6, 10, 15, 25, 40, 60, 100, 150, 250, 400, 600, 1000});
  return f;
}

GaugeFamily& ActiveTests() {
  static GaugeFamily& f = mlab::metrics::NewGaugeFamily(
      "ndt_active_tests", "A gauge of requests currently being served by the NDT server.",
      {"protocol"});
  return f;
}

mlab::metrics::Gauge& CurrentOpenConns() {
  static mlab::metrics::Gauge& g = mlab::metrics::NewGauge(
      "netx_current_open_conns", "The current number of open net.Conn connections.");
  return g;
}

mlab::metrics::Gauge& LameDuck() {
  static mlab::metrics::Gauge& g =
      mlab::metrics::NewGauge("lame_duck_experiment", "Indicates when the server is in lame duck");
  return g;
}

CounterFamily& TokenRequests() {
  static CounterFamily& f = mlab::metrics::NewCounterFamily(
      "controller_access_token_requests_total",
      "Total number of requests handled by the access tokencontroller.",
      {"path", "request", "reason"});
  return f;
}

CounterFamily& TxRequests() {
  static CounterFamily& f = mlab::metrics::NewCounterFamily(
      "controller_access_txcontroller_requests_total",
      "Total number of requests handled by the access txcontroller.", {"request", "protocol"});
  return f;
}

CounterFamily& ResultWriteErrors() {
  static CounterFamily& f = mlab::metrics::NewCounterFamily(
      "ndt7_result_write_errors_total",
      "Test results that could not be written to -datadir and are lost (the test itself "
      "completed).",
      {"direction"});
  return f;
}

CounterFamily& ResultWritesHeld() {
  static CounterFamily& f = mlab::metrics::NewCounterFamily(
      "ndt7_result_writes_held_total",
      "Test results a full -datadir refused, held in memory to be written once there is room.",
      {"direction"});
  return f;
}

void SetGitShortCommit(const std::string& commit) {
  static GaugeFamily& f = mlab::metrics::NewGaugeFamily(
      "git_short_commit", "The git commit of the running binary, parsed as a hex number.",
      {"commit"});
  f.WithLabels({commit}).Set(static_cast<double>(std::strtoull(commit.c_str(), nullptr, 16)));
}

const char* ResultLabel(bool error, double rate) {
  if (!error && rate > 0) return "okay-with-rate";
  if (!error) return "okay-without-rate";
  if (rate > 0) return "error-with-rate";
  return "error-without-rate";
}

}  // namespace mlab::ndt7::metrics
