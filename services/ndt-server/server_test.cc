// The server from the outside, on loopback: real WebSocket clients run download and upload
// tests against an in-process Ndt7Server (runtime shortened to 2 s), and raw sockets send what
// broken or hostile clients send.

#include "services/ndt-server/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <numeric>
#include <regex>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "boost/asio/connect.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/ssl.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/websocket.hpp"
#include "boost/beast/websocket/ssl.hpp"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/metrics/registry.h"
#include "lib/testing/small_filesystem.h"
#include "lib/testing/temp_dir.h"
#include "lib/uuid/process_prefix.h"
#include "rapidjson/document.h"
#include "services/ndt-server/access_control.h"
#include "services/ndt-server/jwt_test_util.h"
#include "services/ndt-server/ndt7_handler.h"
#include "services/ndt-server/ndt7_metrics.h"
#include "services/ndt-server/result_writer.h"
#include "services/ndt-server/session_env.h"
#include "services/ndt-server/static_files.h"
#include "services/ndt-server/test_util.h"
#include "services/ndt-server/tls_test_util.h"

namespace mlab::ndt7 {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using asio::ip::tcp;

constexpr absl::Duration kRuntime = absl::Seconds(2);

struct HarnessOptions {
  std::unique_ptr<TokenVerifier> verifier;
  bool token_required = false;
  std::unique_ptr<TxController> tx;
  absl::Duration http_timeout = absl::Seconds(10);
  FrameWritePolicy frame_write = FrameWritePolicy::kAuto;
  bool tls = false;     // wss as well, with a fresh self-signed certificate
  std::string datadir;  // a temporary directory if empty
};

// One server on 127.0.0.1 with a temporary datadir and htmldir; collects finished tests.
class Harness {
 public:
  explicit Harness(HarnessOptions o = {})
      : datadir_(o.datadir.empty() ? data_.path() : o.datadir),
        writer_(datadir_, true),
        access_(std::move(o.verifier), o.token_required, "mlab1-abc01", std::move(o.tx)),
        handler_(&access_),
        files_(html_.path()) {
    EXPECT_TRUE(writer_.Init().ok());
    testing::WriteFile(html_.path() + "/index.html", "<html>speed test</html>");
    testing::WriteFile(html_.path() + "/a+b.js", "plus");
    env_.writer = &writer_;
    env_.version = "test";
    env_.git_short_commit = "abcdef0";
    env_.server_metadata = {{"type", "virtual"}};
    env_.runtime = kRuntime;
    env_.max_runtime = kRuntime + absl::Seconds(3);
    env_.result_pool = &pool_;
    env_.frame_write = o.frame_write;
    env_.on_test_done = [this](const TestSummary& s) {
      std::lock_guard<std::mutex> lock(mu_);
      done_.push_back(s);
      cv_.notify_all();
    };
    shared_.env = &env_;
    shared_.handler = &handler_;
    shared_.files = &files_;
    shared_.http_timeout = o.http_timeout;
    ServerOptions options;
    options.cleartext_address = "127.0.0.1:0";
    options.threads = 2;
    if (o.tls) {
      const testing::PemPair pem = testing::SelfSignedPem();
      options.tls_address = "127.0.0.1:0";
      options.cert_file = tls_.path() + "/cert.pem";
      options.key_file = tls_.path() + "/key.pem";
      testing::WriteFile(options.cert_file, pem.cert);
      testing::WriteFile(options.key_file, pem.key);
    }
    server_ = std::make_unique<Ndt7Server>(options, &shared_);
    absl::Status s = server_->Start();
    EXPECT_TRUE(s.ok()) << s;
  }
  ~Harness() {
    server_->Stop();
    pool_.join();
  }

  int port() const { return server_->cleartext_port(); }
  int tls_port() const { return server_->tls_port(); }
  const std::string& datadir() const { return datadir_; }
  const ResultWriter& writer() const { return writer_; }

  // Waits until `n` tests have finished (results written); returns them.
  std::vector<TestSummary> WaitForTests(size_t n, absl::Duration timeout = absl::Seconds(20)) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, absl::ToChronoSeconds(timeout), [&] { return done_.size() >= n; });
    return done_;
  }

 private:
  testing::TempDir data_;
  testing::TempDir html_;
  testing::TempDir tls_;
  std::string datadir_;
  ResultWriter writer_;
  AccessControl access_;
  Ndt7Handler handler_;
  StaticFiles files_;
  asio::thread_pool pool_{1};
  SessionEnv env_;
  HttpShared shared_;
  std::unique_ptr<Ndt7Server> server_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<TestSummary> done_;
};

struct ClientRun {
  bool connected = false;
  std::string handshake_error;
  std::string response_subprotocol;
  std::vector<size_t> binary_sizes;
  std::vector<std::string> texts;
  std::vector<std::string> pings;
  std::vector<std::string> pongs;
  websocket::close_code close_code = websocket::close_code::none;
  std::string close_reason;
  std::string end;  // how reading ended
  int64_t uploaded = 0;
};

// The ndt7 WebSocket handshake on a connected stream; false (with the error in `run`) if refused.
template <class Ws>
bool Handshake(Ws* ws, const std::string& target, ClientRun* run) {
  ws->set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
    req.set(beast::http::field::sec_websocket_protocol, "net.measurementlab.ndt.v7");
  }));
  ws->read_message_max(1 << 20);  // ndt7-client-go's limit: bigger messages would fail
  websocket::response_type res;
  beast::error_code ec;
  ws->handshake(res, "127.0.0.1", target, ec);
  if (ec) {
    run->handshake_error = ec.message();
    return false;
  }
  run->connected = true;
  run->response_subprotocol = std::string(res[beast::http::field::sec_websocket_protocol]);
  ws->control_callback([run](websocket::frame_type kind, beast::string_view payload) {
    if (kind == websocket::frame_type::ping) run->pings.emplace_back(payload);
    if (kind == websocket::frame_type::pong) run->pongs.emplace_back(payload);
  });
  return true;
}

std::unique_ptr<websocket::stream<tcp::socket>> Connect(asio::io_context& ioc, int port,
                                                        const std::string& target, ClientRun* run) {
  auto ws = std::make_unique<websocket::stream<tcp::socket>>(ioc);
  ws->next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  if (!Handshake(ws.get(), target, run)) return nullptr;
  return ws;
}

using WssStream = websocket::stream<asio::ssl::stream<tcp::socket>>;

// wss, the certificate not verified (self-signed, tests only).
std::unique_ptr<WssStream> ConnectTls(asio::io_context& ioc, asio::ssl::context& tls, int port,
                                      const std::string& target, ClientRun* run) {
  auto ws = std::make_unique<WssStream>(ioc, tls);
  beast::get_lowest_layer(*ws).connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  beast::error_code ec;
  ws->next_layer().handshake(asio::ssl::stream_base::client, ec);
  if (ec) {
    run->handshake_error = "tls: " + ec.message();
    return nullptr;
  }
  if (!Handshake(ws.get(), target, run)) return nullptr;
  return ws;
}

template <class Ws>
void ReadUntilClosed(Ws& ws, ClientRun* run) {
  beast::flat_buffer buffer;
  for (;;) {
    beast::error_code ec;
    ws.read(buffer, ec);
    if (ec) {
      run->end = ec.message();
      run->close_code = static_cast<websocket::close_code>(ws.reason().code);
      run->close_reason = std::string(ws.reason().reason.data(), ws.reason().reason.size());
      return;
    }
    if (ws.got_binary()) {
      run->binary_sizes.push_back(buffer.size());
    } else {
      run->texts.push_back(beast::buffers_to_string(buffer.data()));
    }
    buffer.consume(buffer.size());
  }
}

ClientRun Download(int port, const std::string& query = "client_name=server-test") {
  asio::io_context ioc;
  ClientRun run;
  auto ws = Connect(ioc, port, "/ndt/v7/download?" + query, &run);
  if (ws) ReadUntilClosed(*ws, &run);
  return run;
}

ClientRun Upload(int port, int64_t max_bytes, const std::string& client_text = "") {
  asio::io_context ioc;
  ClientRun run;
  auto ws = Connect(ioc, port, "/ndt/v7/upload?client_name=server-test", &run);
  if (!ws) return run;
  if (!client_text.empty()) {
    ws->text(true);
    ws->write(asio::buffer(client_text));
  }
  ws->binary(true);
  std::string payload(1 << 16, 'x');
  beast::error_code ec;
  const absl::Time until = absl::Now() + kRuntime / 2;
  while (run.uploaded < max_bytes && absl::Now() < until) {
    ws->write(asio::buffer(payload), ec);
    if (ec) break;
    run.uploaded += payload.size();
  }
  ReadUntilClosed(*ws, &run);
  return run;
}

// Raw request over a new connection; returns the whole answer (the server closes or we time
// out after 5 s).
std::string RawExchange(int port, const std::string& request) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return "";
  }
  send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  // Reads one response: the head, then Content-Length bytes (none for 101).
  std::string out;
  char buf[4096];
  for (;;) {
    const size_t head_end = out.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      const std::string head = absl::AsciiStrToLower(out.substr(0, head_end));
      size_t length = 0;
      if (const size_t cl = head.find("content-length: "); cl != std::string::npos) {
        length = std::strtoul(head.c_str() + cl + 16, nullptr, 10);
      }
      if (out.size() >= head_end + 4 + length) break;
    }
    const ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    out.append(buf, n);
  }
  close(fd);
  return out;
}

std::string UpgradeRequest(const std::string& target, const std::string& protocol_header) {
  return absl::StrCat(
      "GET ", target,
      " HTTP/1.1\r\nHost: test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
      "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n",
      protocol_header, "\r\n");
}

int StatusOf(const std::string& response) {
  int status = 0;
  if (response.size() >= 12) absl::SimpleAtoi(response.substr(9, 3), &status);
  return status;
}

double MetricValue(const std::string& line_prefix) {
  const std::string page = mlab::metrics::Registry::Default().Expose();
  size_t pos = page.find("\n" + line_prefix + " ");
  if (pos == std::string::npos) return 0;
  double v = 0;
  const size_t start = pos + line_prefix.size() + 2;
  absl::SimpleAtod(page.substr(start, page.find('\n', start) - start), &v);
  return v;
}

rapidjson::Document ParseJson(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  return doc;
}

// Cleartext downloads are checked with both ways of writing the prepared frames.
class CleartextDownload : public ::testing::TestWithParam<FrameWritePolicy> {
 protected:
  static HarnessOptions Options() {
    HarnessOptions o;
    o.frame_write = GetParam();
    return o;
  }
  static std::string ExpectedWrite() {
    return GetParam() == FrameWritePolicy::kAlways ? "sendfile" : "send";  // loopback: send
  }
};

INSTANTIATE_TEST_SUITE_P(Ndt7Server, CleartextDownload,
                         ::testing::Values(FrameWritePolicy::kAuto, FrameWritePolicy::kAlways),
                         [](const auto& info) {
                           return info.param == FrameWritePolicy::kAuto ? "Send" : "Sendfile";
                         });

TEST_P(CleartextDownload, FollowsTheProtocolAndIsArchived) {
  Harness h(Options());
  const absl::Time start = absl::Now();
  ClientRun run = Download(h.port(), "client_name=server-test&server_secret=1");
  const absl::Duration took = absl::Now() - start;
  ASSERT_TRUE(run.connected) << run.handshake_error;
  EXPECT_EQ(run.response_subprotocol, "net.measurementlab.ndt.v7");
  // 10 s test (2 s here), closed by the server with 1000 "Done sending".
  EXPECT_GE(took, kRuntime);
  EXPECT_LT(took, kRuntime + absl::Seconds(2));
  EXPECT_EQ(run.close_code, websocket::close_code::normal) << run.end;
  EXPECT_EQ(run.close_reason, "Done sending");
  // Message sizes: 8 KiB x16, then doubling every 8 messages, never above 1 MiB.
  ASSERT_GT(run.binary_sizes.size(), 30u);
  for (int i = 0; i < 16; ++i) EXPECT_EQ(run.binary_sizes[i], 8192u);
  for (int i = 16; i < 24; ++i) EXPECT_EQ(run.binary_sizes[i], 16384u);
  for (size_t s : run.binary_sizes) EXPECT_LE(s, 1u << 20);
  // Measurements at ~250 ms on average (at least a few in 2 s), each followed by a Ping
  // carrying the server's clock in nanoseconds.
  ASSERT_GE(run.texts.size(), 3u);
  EXPECT_EQ(run.pings.size(), run.texts.size());
  for (const std::string& ping : run.pings) {
    int64_t ns = 0;
    ASSERT_TRUE(absl::SimpleAtoi(ping, &ns)) << ping;
    EXPECT_LT(absl::AbsDuration(absl::FromUnixNanos(ns) - absl::Now()), absl::Seconds(30));
  }
  std::string uuid;
  int64_t last_elapsed = -1;
  for (const std::string& text : run.texts) {
    rapidjson::Document m = ParseJson(text);
    ASSERT_TRUE(m.IsObject()) << text;
    EXPECT_FALSE(m.HasMember("AppInfo"));
    ASSERT_TRUE(m.HasMember("ConnectionInfo") && m.HasMember("BBRInfo") && m.HasMember("TCPInfo"))
        << text;
    EXPECT_EQ(m["TCPInfo"].MemberCount(), 55u);
    EXPECT_EQ(m["BBRInfo"].MemberCount(), 5u);
    EXPECT_TRUE(std::regex_match(m["ConnectionInfo"]["Client"].GetString(),
                                 std::regex("127\\.0\\.0\\.1:[0-9]+")));
    EXPECT_EQ(m["ConnectionInfo"]["Server"].GetString(), absl::StrCat("127.0.0.1:", h.port()));
    uuid = m["ConnectionInfo"]["UUID"].GetString();
    const int64_t elapsed = m["TCPInfo"]["ElapsedTime"].GetInt64();
    EXPECT_EQ(elapsed, m["BBRInfo"]["ElapsedTime"].GetInt64());
    EXPECT_GT(elapsed, last_elapsed);
    last_elapsed = elapsed;
  }
  EXPECT_GT(last_elapsed, absl::ToInt64Microseconds(kRuntime) - 100000);  // the final sample
  EXPECT_TRUE(std::regex_match(uuid, std::regex(".*_[0-9A-F]{16}")));
  EXPECT_EQ(uuid.rfind(uuid::ProcessPrefix() + "_", 0), 0u);

  std::vector<TestSummary> done = h.WaitForTests(1);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].uuid, uuid);
  EXPECT_EQ(done[0].sender_exit, "measurer-closed");
  EXPECT_EQ(done[0].download_write, ExpectedWrite());
  EXPECT_EQ(done[0].app_bytes,
            std::accumulate(run.binary_sizes.begin(), run.binary_sizes.end(), int64_t{0}));
  EXPECT_GT(done[0].rate_mbps, 0);
  const std::string& path = done[0].result_path;
  ASSERT_TRUE(std::regex_match(path, std::regex(h.datadir() +
                                                "/ndt7/[0-9]{4}/[0-9]{2}/[0-9]{2}/ndt7-download-"
                                                "[0-9]{8}T[0-9]{6}\\.[0-9]{9}Z\\." +
                                                uuid + "\\.json\\.gz")))
      << path;
  rapidjson::Document result = ParseJson(testing::Gunzip(testing::ReadFile(path)));
  ASSERT_TRUE(result.IsObject());
  EXPECT_FALSE(result.HasMember("Upload"));
  const auto& data = result["Download"];
  EXPECT_EQ(data["UUID"].GetString(), uuid);
  EXPECT_EQ(data["ServerMeasurements"].Size(), run.texts.size());
  EXPECT_TRUE(data["ClientMeasurements"].IsNull());
  ASSERT_EQ(data["ClientMetadata"].Size(), 1u);  // server_* is not archived
  EXPECT_STREQ(data["ClientMetadata"][0]["Name"].GetString(), "client_name");
  EXPECT_STREQ(data["ServerMetadata"][0]["Value"].GetString(), "virtual");
  EXPECT_STREQ(result["ServerIP"].GetString(), "127.0.0.1");
  EXPECT_EQ(result["ServerPort"].GetInt(), h.port());
}

// Cleartext downloads go out as prepared frames while our own parser reads the client: its Ping
// must be answered between whole messages, its measurements archived.
TEST_P(CleartextDownload, AnswersClientFramesBetweenWholeMessages) {
  Harness h(Options());
  asio::io_context ioc;
  ClientRun run;
  auto ws = Connect(ioc, h.port(), "/ndt/v7/download?client_name=server-test", &run);
  ASSERT_NE(ws, nullptr) << run.handshake_error;
  ws->ping(websocket::ping_data("client-ping"));
  ws->text(true);
  ws->write(asio::buffer(std::string(R"({"AppInfo":{"NumBytes":7,"ElapsedTime":9}})")));
  ReadUntilClosed(*ws, &run);
  // A Pong inside a binary frame would have broken Beast's reader before the normal close.
  EXPECT_EQ(run.close_code, websocket::close_code::normal) << run.end;
  EXPECT_EQ(run.pongs, std::vector<std::string>{"client-ping"});
  ASSERT_GT(run.binary_sizes.size(), 30u);
  for (size_t i = 0; i < run.binary_sizes.size(); ++i) {
    EXPECT_EQ(run.binary_sizes[i] & (run.binary_sizes[i] - 1), 0u) << i;  // whole messages
  }
  std::vector<TestSummary> done = h.WaitForTests(1);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].sender_exit, "measurer-closed");
  EXPECT_EQ(done[0].client_measurements, 1);
  EXPECT_EQ(done[0].download_write, ExpectedWrite());
  rapidjson::Document result = ParseJson(testing::Gunzip(testing::ReadFile(done[0].result_path)));
  ASSERT_TRUE(result.HasMember("Download"));
  EXPECT_EQ(result["Download"]["ClientMeasurements"][0]["AppInfo"]["NumBytes"].GetInt(), 7);
}

// Upstream: binary from a downloading client ends the receiver; the download goes on.
// A full disk never costs the test or the server, nor the result while memory allows: the
// client's test completes, the refused result is held (counted and logged), nothing partial is
// left, and once there is room the held result is written, as is the next one.
TEST(Ndt7Server, FullDiskHoldsTheResultUntilThereIsRoom) {
  if (absl::Status ns = ::mlab::testing::PrivateMountNamespace(); !ns.ok()) GTEST_SKIP() << ns;
  testing::TempDir parent;
  auto disk = ::mlab::testing::SmallFilesystem::Mount(parent.path() + "/disk", 256 << 10);
  ASSERT_TRUE(disk.ok()) << disk.status();
  HarnessOptions o;
  o.datadir = (*disk)->dir();
  Harness h(std::move(o));
  absl::StatusOr<std::string> filler = (*disk)->Fill("filler");
  ASSERT_TRUE(filler.ok()) << filler.status();
  mlab::metrics::Counter& errors = metrics::ResultWriteErrors().WithLabels({"download"});
  mlab::metrics::Counter& held = metrics::ResultWritesHeld().WithLabels({"download"});
  const double errors_before = errors.Value();
  const double held_before = held.Value();

  ClientRun refused = Download(h.port(), "client_name=server-test");
  EXPECT_EQ(refused.close_code, websocket::close_code::normal) << refused.end;
  std::vector<TestSummary> done = h.WaitForTests(1);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_TRUE(done[0].result_path.empty());
  EXPECT_EQ(held.Value(), held_before + 1);
  EXPECT_THAT(::mlab::testing::ListFiles(h.datadir()), ::testing::ElementsAre("filler"));

  ASSERT_EQ(unlink(filler->c_str()), 0);
  ASSERT_TRUE(h.writer().retrier().WaitUntilNoneHeld(absl::Seconds(30)));  // Retried in ~1 s.
  EXPECT_EQ(h.writer().retrier().stats().recovered, 1);
  std::vector<std::string> files = ::mlab::testing::ListFiles(h.datadir() + "/ndt7");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_NE(files[0].find(done[0].uuid), std::string::npos) << files[0];
  rapidjson::Document late =
      ParseJson(testing::Gunzip(testing::ReadFile(h.datadir() + "/ndt7/" + files[0])));
  EXPECT_TRUE(late.HasMember("Download"));

  ClientRun saved = Download(h.port(), "client_name=server-test");
  EXPECT_EQ(saved.close_code, websocket::close_code::normal) << saved.end;
  done = h.WaitForTests(2);
  ASSERT_EQ(done.size(), 2u);
  ASSERT_FALSE(done[1].result_path.empty());
  EXPECT_TRUE(std::filesystem::exists(done[1].result_path));
  EXPECT_EQ(errors.Value(), errors_before);
  EXPECT_EQ(held.Value(), held_before + 1);
}

TEST(Ndt7Server, BinaryFromADownloadingClientStopsOnlyTheReceiver) {
  Harness h;
  asio::io_context ioc;
  ClientRun run;
  auto ws = Connect(ioc, h.port(), "/ndt/v7/download?client_name=server-test", &run);
  ASSERT_NE(ws, nullptr) << run.handshake_error;
  ws->binary(true);
  ws->write(asio::buffer(std::string(1000, 'b')));
  ReadUntilClosed(*ws, &run);
  EXPECT_EQ(run.close_code, websocket::close_code::normal) << run.end;
  EXPECT_GT(run.binary_sizes.size(), 30u);
  std::vector<TestSummary> done = h.WaitForTests(1);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].receiver_exit, "wrong-message-type");
  EXPECT_EQ(done[0].sender_exit, "measurer-closed");
}

TEST(Ndt7Server, UploadSendsTcpInfoAndKeepsClientMessages) {
  Harness h;
  ClientRun run = Upload(h.port(), int64_t{64} << 20,
                         R"({"AppInfo":{"NumBytes":1,"ElapsedTime":2},"Origin":"client"})");
  ASSERT_TRUE(run.connected) << run.handshake_error;
  EXPECT_GT(run.uploaded, 0);
  EXPECT_TRUE(run.binary_sizes.empty());  // never binary towards an uploading client
  ASSERT_GE(run.texts.size(), 2u);
  rapidjson::Document last = ParseJson(run.texts.back());
  ASSERT_TRUE(last.HasMember("TCPInfo"));
  // Clients compute the upload speed from these two.
  EXPECT_GE(last["TCPInfo"]["BytesReceived"].GetInt64(), run.uploaded);
  EXPECT_GT(last["TCPInfo"]["ElapsedTime"].GetInt64(), 0);

  std::vector<TestSummary> done = h.WaitForTests(1);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].direction, Direction::kUpload);
  EXPECT_EQ(done[0].app_bytes, run.uploaded);
  EXPECT_EQ(done[0].client_measurements, 1);
  rapidjson::Document result = ParseJson(testing::Gunzip(testing::ReadFile(done[0].result_path)));
  ASSERT_TRUE(result.HasMember("Upload"));
  const auto& cm = result["Upload"]["ClientMeasurements"];
  ASSERT_EQ(cm.Size(), 1u);
  EXPECT_EQ(cm[0]["AppInfo"]["NumBytes"].GetInt(), 1);
  EXPECT_FALSE(cm[0].HasMember("Origin"));
}

// wss goes through TlsStream: the same protocol and archive, Beast's closing handshake with
// close_notify at the end, and uploads decrypted and counted.
TEST(Ndt7Server, WssDownloadAndUploadFollowTheProtocol) {
  HarnessOptions o;
  o.tls = true;
  Harness h(std::move(o));
  ASSERT_GT(h.tls_port(), 0);
  asio::ssl::context tls(asio::ssl::context::tls_client);
  tls.set_verify_mode(asio::ssl::verify_none);

  asio::io_context ioc;
  ClientRun down;
  auto ws = ConnectTls(ioc, tls, h.tls_port(), "/ndt/v7/download?client_name=wss-test", &down);
  ASSERT_NE(ws, nullptr) << down.handshake_error;
  EXPECT_EQ(down.response_subprotocol, "net.measurementlab.ndt.v7");
  ReadUntilClosed(*ws, &down);
  EXPECT_EQ(down.close_code, websocket::close_code::normal) << down.end;
  EXPECT_EQ(down.close_reason, "Done sending");
  ASSERT_GT(down.binary_sizes.size(), 30u);
  for (size_t size : down.binary_sizes) {
    EXPECT_EQ(size & (size - 1), 0u);  // whole messages
    EXPECT_LE(size, 1u << 20);
  }
  EXPECT_GE(down.texts.size(), 3u);
  EXPECT_EQ(down.pings.size(), down.texts.size());

  ClientRun up;
  ws = ConnectTls(ioc, tls, h.tls_port(), "/ndt/v7/upload?client_name=wss-test", &up);
  ASSERT_NE(ws, nullptr) << up.handshake_error;
  ws->binary(true);
  const std::string payload(1 << 16, 'u');
  const absl::Time until = absl::Now() + kRuntime / 2;
  beast::error_code ec;
  while (up.uploaded < (int64_t{64} << 20) && absl::Now() < until) {
    ws->write(asio::buffer(payload), ec);
    if (ec) break;
    up.uploaded += static_cast<int64_t>(payload.size());
  }
  ReadUntilClosed(*ws, &up);
  EXPECT_EQ(up.close_code, websocket::close_code::normal) << up.end;
  EXPECT_GT(up.uploaded, 0);

  std::vector<TestSummary> done = h.WaitForTests(2);
  ASSERT_EQ(done.size(), 2u);
  for (const TestSummary& test : done) {
    EXPECT_EQ(test.protocol, "ndt7+wss");
    EXPECT_EQ(test.sender_exit, "measurer-closed");
    if (test.direction == Direction::kDownload) {
      // "ktls+send" where the kernel encrypts (CONFIG_TLS), else OpenSSL does.
      EXPECT_TRUE(test.download_write == "tls" || test.download_write == "ktls+send")
          << test.download_write;
      EXPECT_EQ(test.app_bytes,
                std::accumulate(down.binary_sizes.begin(), down.binary_sizes.end(), int64_t{0}));
    } else {
      EXPECT_EQ(test.app_bytes, up.uploaded);
    }
    rapidjson::Document result = ParseJson(testing::Gunzip(testing::ReadFile(test.result_path)));
    ASSERT_TRUE(result.IsObject()) << test.result_path;
  }
}

TEST(Ndt7Server, RejectsBadHandshakesAsUpstream) {
  Harness h;
  const double ws_errors = MetricValue(
      "ndt7_client_connections_total{direction=\"download\",status=\"websocket-error\"}");
  std::string r = RawExchange(h.port(), UpgradeRequest("/ndt/v7/download", ""));
  EXPECT_EQ(StatusOf(r), 400) << r;
  EXPECT_TRUE(absl::StrContains(absl::AsciiStrToLower(r), "connection: close")) << r;
  r = RawExchange(h.port(), UpgradeRequest("/ndt/v7/upload", "Sec-WebSocket-Protocol: ndt\r\n"));
  EXPECT_EQ(StatusOf(r), 400);
  r = RawExchange(h.port(),
                  UpgradeRequest("/ndt/v7/download",
                                 "Sec-WebSocket-Protocol: foo, net.measurementlab.ndt.v7\r\n"));
  EXPECT_EQ(StatusOf(r), 400);
  r = RawExchange(h.port(),
                  UpgradeRequest("/ndt/v7/download?early_exit=100",
                                 "Sec-WebSocket-Protocol: net.measurementlab.ndt.v7\r\n"));
  EXPECT_EQ(StatusOf(r), 400);
  r = RawExchange(h.port(),
                  "POST /ndt/v7/download HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
                  "Sec-WebSocket-Protocol: net.measurementlab.ndt.v7\r\n\r\n");
  EXPECT_EQ(StatusOf(r), 405);
  r = RawExchange(h.port(),
                  "GET /ndt/v7/download HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                  "Sec-WebSocket-Protocol: net.measurementlab.ndt.v7\r\n\r\n");
  EXPECT_EQ(StatusOf(r), 400);
  EXPECT_EQ(MetricValue("ndt7_client_connections_total{direction=\"download\",status=\"websocket-"
                        "error\"}"),
            ws_errors + 2);  // the 405 and the 400 from the upgrade checks
  // Right subprotocol: 101 with the subprotocol echoed.
  r = RawExchange(
      h.port(),
      UpgradeRequest("/ndt/v7/upload", "Sec-WebSocket-Protocol: net.measurementlab.ndt.v7\r\n"));
  EXPECT_EQ(StatusOf(r), 101) << r;
  EXPECT_TRUE(absl::StrContains(r, "Sec-WebSocket-Protocol: net.measurementlab.ndt.v7")) << r;
  // Static content at /, nothing outside -htmldir.
  r = RawExchange(h.port(), "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(StatusOf(r), 200);
  EXPECT_TRUE(absl::StrContains(r, "<html>speed test</html>"));
  r = RawExchange(h.port(),
                  "GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(StatusOf(r), 400);
  r = RawExchange(h.port(), "GET /missing.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(StatusOf(r), 404);
  // Paths are unescaped as Go's url.Parse does: '+' is a plus, %XX an escape, a bad one 400.
  for (const char* path : {"/a+b.js", "/a%2Bb.js"}) {
    r = RawExchange(
        h.port(), absl::StrCat("GET ", path, " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    EXPECT_EQ(StatusOf(r), 200) << path;
    EXPECT_TRUE(absl::EndsWith(r, "plus")) << r;
  }
  r = RawExchange(h.port(), "GET /a%zz.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(StatusOf(r), 400);
  r = RawExchange(h.port(), "garbage\r\n\r\n");
  EXPECT_EQ(StatusOf(r), 400);
}

TEST(Ndt7Server, TokensAndTransmitRateGateAdmission) {
  const testing::TestKey key = testing::MakeKey("EdDSA", "locate_1");
  testing::TempDir dir;
  const std::string netdev = dir.path() + "/net_dev";
  auto write_netdev = [&](uint64_t tx) {
    testing::WriteFile(netdev, absl::StrCat("Inter-| Receive | Transmit\n face |bytes|bytes\n"
                                            "  test0: 0 0 0 0 0 0 0 0 ",
                                            tx, " 0 0 0 0 0 0 0\n"));
  };
  write_netdev(0);
  HarnessOptions o;
  o.verifier = std::move(*TokenVerifier::FromJwks({key.public_jwk}));
  o.token_required = true;
  auto tx = TxController::Create("test0", 1000000, netdev, absl::Milliseconds(10));
  ASSERT_TRUE(tx.ok()) << tx.status();
  o.tx = std::move(*tx);
  Harness h(std::move(o));
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  const std::string ndt = testing::SignToken(
      key,
      absl::StrCat(R"({"aud":["mlab1-abc01"],"iss":"locate","sub":"ndt","exp":)", now + 60, "}"));
  const std::string monitoring = testing::SignToken(
      key, absl::StrCat(R"({"aud":["mlab1-abc01"],"iss":"locate","sub":"monitoring","exp":)",
                        now + 60, "}"));
  const std::string expired = testing::SignToken(
      key, absl::StrCat(R"({"aud":["mlab1-abc01"],"iss":"locate","exp":)", now - 10, "}"));
  const std::string proto = "Sec-WebSocket-Protocol: net.measurementlab.ndt.v7\r\n";
  auto status = [&](const std::string& target) {
    return StatusOf(RawExchange(h.port(), UpgradeRequest(target, proto)));
  };
  EXPECT_EQ(status("/ndt/v7/download"), 401);
  EXPECT_EQ(status("/ndt/v7/upload?access_token="), 401);
  EXPECT_EQ(status("/ndt/v7/download?access_token=" + expired), 401);
  EXPECT_EQ(status("/ndt/v7/download?access_token=x.y.z"), 401);
  // A valid token gets through, even with a wrong subprotocol's 400 coming after it.
  EXPECT_EQ(status("/ndt/v7/download?access_token=" + ndt), 101);
  EXPECT_EQ(
      StatusOf(RawExchange(h.port(), UpgradeRequest("/ndt/v7/download?access_token=" + ndt, ""))),
      400);

  // The device sends 8 Gbit in one sampling period: downloads are refused, uploads and
  // monitoring are not.
  write_netdev(1000000000);
  int got = 0;
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (got != 503 && absl::Now() < deadline) got = status("/ndt/v7/download?access_token=" + ndt);
  EXPECT_EQ(got, 503);
  EXPECT_EQ(status("/ndt/v7/upload?access_token=" + ndt), 101);
  EXPECT_EQ(status("/ndt/v7/download?access_token=" + monitoring), 101);
  EXPECT_GE(MetricValue("controller_access_txcontroller_requests_total{protocol=\"http\","
                        "request=\"rejected\"}"),
            1);
  EXPECT_GE(MetricValue("controller_access_token_requests_total{path=\"/ndt/v7/download\","
                        "reason=\"missing\",request=\"rejected\"}"),
            1);
}

// Sends `bytes` after a successful upgrade and reports whether the server closed the
// connection within 5 s.
bool ServerClosesAfter(int port, const std::string& bytes) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) return false;
  const std::string req =
      UpgradeRequest("/ndt/v7/upload", "Sec-WebSocket-Protocol: net.measurementlab.ndt.v7\r\n");
  send(fd, req.data(), req.size(), MSG_NOSIGNAL);
  std::string head;
  char c;
  while (!absl::EndsWith(head, "\r\n\r\n") && recv(fd, &c, 1, 0) == 1) head.push_back(c);
  if (StatusOf(head) != 101) {
    close(fd);
    return false;
  }
  send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  char buf[4096];
  bool closed = false;
  for (;;) {
    const ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n == 0 || (n < 0 && errno == ECONNRESET)) {
      closed = true;
      break;
    }
    if (n < 0) break;  // timeout: still open
  }
  close(fd);
  return closed;
}

TEST(Ndt7Server, GarbageAndOversizedFramesCloseOnlyTheirConnection) {
  Harness h;
  ClientRun good;
  std::thread download([&] { good = Download(h.port()); });
  // Reserved opcode 0x3, unmasked: a protocol error.
  EXPECT_TRUE(ServerClosesAfter(h.port(), std::string("\x83\x05hello", 7)));
  // Random bytes.
  EXPECT_TRUE(ServerClosesAfter(h.port(), std::string(64, '\xff')));
  // A masked binary frame announcing 32 MiB, above the 16 MiB limit.
  std::string big("\x82\xff", 2);
  for (int shift = 56; shift >= 0; shift -= 8)
    big.push_back(static_cast<char>((uint64_t{1} << 25) >> shift));
  big.append("\x01\x02\x03\x04", 4);
  EXPECT_TRUE(ServerClosesAfter(h.port(), big));
  download.join();
  EXPECT_TRUE(good.connected);
  EXPECT_EQ(good.close_code, websocket::close_code::normal);
  EXPECT_GT(good.binary_sizes.size(), 30u);
  // A 16 MiB message (the largest allowed) is accepted whole.
  ClientRun big_ok;
  {
    asio::io_context ioc;
    auto ws = Connect(ioc, h.port(), "/ndt/v7/upload", &big_ok);
    ASSERT_TRUE(ws);
    ws->binary(true);
    std::string payload(size_t{1} << 24, 'y');
    beast::error_code ec;
    ws->write(asio::buffer(payload), ec);
    EXPECT_FALSE(ec) << ec.message();
    ReadUntilClosed(*ws, &big_ok);
    EXPECT_EQ(big_ok.close_code, websocket::close_code::normal) << big_ok.end;
  }
  std::vector<TestSummary> done = h.WaitForTests(5);
  int64_t max_upload = 0;
  for (const auto& t : done)
    max_upload = std::max(max_upload, t.app_bytes * (t.direction == Direction::kUpload));
  EXPECT_EQ(max_upload, int64_t{1} << 24);
}

TEST(Ndt7Server, IdleConnectionsAreTimedOutWhileTestsRun) {
  rlimit limit;
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = std::max<rlim_t>(limit.rlim_cur, std::min<rlim_t>(limit.rlim_max, 8192));
  setrlimit(RLIMIT_NOFILE, &limit);
  ASSERT_GE(limit.rlim_cur, 2200u) << "needs file descriptors for 1,000 connections each side";

  HarnessOptions o;
  o.http_timeout = absl::Seconds(2);
  Harness h(std::move(o));
  constexpr int kIdle = 1000;
  std::vector<int> fds;
  for (int i = 0; i < kIdle; ++i) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(h.port());
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0) << i;
    // Half send nothing, half a partial request.
    if (i % 2 == 1) send(fd, "GET /ndt/v7/download HTTP/1.1\r\n", 31, MSG_NOSIGNAL);
    fds.push_back(fd);
  }
  // A real test still runs while they hang around.
  ClientRun run = Download(h.port());
  EXPECT_EQ(run.close_code, websocket::close_code::normal) << run.end;
  EXPECT_GT(run.binary_sizes.size(), 30u);
  // Every idle connection is closed by the server (read returns EOF) within the timeout.
  int closed = 0;
  for (int fd : fds) {
    timeval tv{10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    char buf[256];
    ssize_t n;
    while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) {
    }
    if (n == 0 || errno == ECONNRESET) ++closed;
    close(fd);
  }
  EXPECT_EQ(closed, kIdle);
  h.WaitForTests(1);
}

}  // namespace
}  // namespace mlab::ndt7
