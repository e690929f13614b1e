// Annotations per second and request latency of our Annotator (gRPC) and ipservice (HTTP over a
// unix socket) beside upstream's Go uuid-annotator ipservice, on the same datasets and the same
// 10,000 addresses. Prints numbers and ratios; never pass/fail.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <random>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "lib/flags/flags.h"
#include "proto/annotator.grpc.pb.h"
#include "services/uuid-annotator/archive_reader.h"
#include "services/uuid-annotator/ip_address.h"
#include "services/uuid-annotator/test_util.h"

namespace {

using mlab::flags::Flag;
using mlab::uuid_annotator::testing::ReadFileOrDie;
using mlab::uuid_annotator::testing::Subprocess;
using mlab::uuid_annotator::testing::TempDir;
using mlab::uuid_annotator::testing::WaitFor;

Flag<int> FLAGS_ips("ips", 10000, "Distinct addresses to annotate.");
Flag<int> FLAGS_concurrency("concurrency", 4, "Client threads (each with its own connection).");
Flag<int> FLAGS_batch("batch", 100, "Addresses per request in the batched runs.");
Flag<int> FLAGS_rounds("rounds", 3, "Passes over the addresses per run (after one warm-up pass).");
Flag<std::string> FLAGS_upstream("upstream", "/usr/local/lib/mlab-peers/bin/uuid-annotator",
                                 "Upstream's Go uuid-annotator binary.");
Flag<std::string> FLAGS_only("only", "",
                             "Run only the runs whose name contains this text (e.g. \"10000\").");
Flag<int> FLAGS_lookahead("grpc-lookahead-bytes", 0,
                          "If set, the gRPC client's per-stream flow-control window.");
Flag<std::string> FLAGS_testdata("testdata", "external/shared_testdata",
                                 "The shared test data directory.");

// Addresses inside RouteViews prefixes (most found, as real clients are) plus random ones.
std::vector<std::string> Addresses(int count) {
  std::vector<std::string> bases;
  const std::string dir = *FLAGS_testdata + "/uuid-annotator/testdata/";
  for (const char* file : {"RouteViewIPv4.pfx2as.gz", "RouteViewIPv6.pfx2as.gz"}) {
    absl::StatusOr<std::string> text = mlab::uuid_annotator::Gunzip(ReadFileOrDie(dir + file));
    for (absl::string_view line : absl::StrSplit(*text, '\n')) {
      std::vector<absl::string_view> f = absl::StrSplit(line, '\t');
      if (f.size() >= 2) bases.push_back(std::string(f[0]));
    }
  }
  std::mt19937_64 rng(42);
  std::vector<std::string> ips;
  while (static_cast<int>(ips.size()) < count) {
    const std::string& base = bases[rng() % bases.size()];
    if (ips.size() % 10 == 9) {
      ips.push_back(
          absl::StrCat(rng() % 223 + 1, ".", rng() % 256, ".", rng() % 256, ".", rng() % 256));
    } else if (base.find(':') != std::string::npos) {
      // A host inside the prefix: its base with a random last group when the base ends in "::".
      ips.push_back(absl::EndsWith(base, "::") ? absl::StrFormat("%s%x", base, rng() % 65535 + 1)
                                               : base);
    } else {
      std::vector<std::string> o = absl::StrSplit(base, '.');
      ips.push_back(absl::StrCat(o[0], ".", o[1], ".", o[2], ".", rng() % 254 + 1));
    }
  }
  // Keep only addresses that parse.
  ips.erase(std::remove_if(
                ips.begin(), ips.end(),
                [](const std::string& ip) { return !mlab::uuid_annotator::IpAddress::Parse(ip); }),
            ips.end());
  return ips;
}

// One request's addresses, as a query string and as a list.
struct Request {
  std::string query;
  std::vector<std::string> ips;
};

std::vector<Request> Requests(const std::vector<std::string>& ips, int batch) {
  std::vector<Request> out;
  for (size_t i = 0; i < ips.size(); i += batch) {
    Request r;
    for (size_t k = i; k < std::min(ips.size(), i + batch); ++k) {
      absl::StrAppend(&r.query, r.query.empty() ? "" : "&", "ip=", ips[k]);
      r.ips.push_back(ips[k]);
    }
    out.push_back(std::move(r));
  }
  return out;
}

// A keep-alive HTTP/1.1 client on a unix socket.
class HttpClient {
 public:
  explicit HttpClient(const std::string& path) {
    fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr = {};
    addr.sun_family = AF_UNIX;
    memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      close(fd_);
      fd_ = -1;
    }
  }
  ~HttpClient() {
    if (fd_ >= 0) close(fd_);
  }
  // The body of a 200 answer, or "" on any failure. Go answers large bodies chunked.
  std::string Get(const std::string& query) {
    const std::string request =
        absl::StrCat("GET /v1/annotate/ips?", query, " HTTP/1.1\r\nHost: unix\r\n\r\n");
    if (write(fd_, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
      return "";
    }
    size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return "";
    }
    const std::string headers = buffer_.substr(0, end + 2);
    buffer_.erase(0, end + 4);
    const bool ok = absl::StartsWith(headers, "HTTP/1.1 200");
    std::string body;
    const size_t cl = headers.find("Content-Length: ");
    if (cl != std::string::npos) {
      const size_t length = std::stoul(headers.substr(cl + 16));
      while (buffer_.size() < length) {
        if (!Fill()) return "";
      }
      body = buffer_.substr(0, length);
      buffer_.erase(0, length);
    } else if (absl::StrContains(headers, "Transfer-Encoding: chunked")) {
      while (true) {
        size_t line;
        while ((line = buffer_.find("\r\n")) == std::string::npos) {
          if (!Fill()) return "";
        }
        const size_t size = std::stoul(buffer_.substr(0, line), nullptr, 16);
        while (buffer_.size() < line + 2 + size + 2) {
          if (!Fill()) return "";
        }
        body.append(buffer_, line + 2, size);
        buffer_.erase(0, line + 2 + size + 2);
        if (size == 0) break;
      }
    }
    return ok ? body : "";
  }
  bool ok() const { return fd_ >= 0; }

 private:
  bool Fill() {
    char buf[1 << 16];
    const ssize_t n = read(fd_, buf, sizeof(buf));
    if (n <= 0) return false;
    buffer_.append(buf, n);
    return true;
  }

  int fd_;
  std::string buffer_;
};

struct Result {
  std::string name;
  double ips_per_second = 0;
  absl::Duration p50, p99;
  int64_t failures = 0;
};

// Runs `call` for every request, `rounds` times over, from `threads` threads after a warm-up.
bool Selected(const std::string& name) {
  return FLAGS_only->empty() || absl::StrContains(name, *FLAGS_only);
}

template <typename MakeClient, typename Call>
Result Run(const std::string& name, const std::vector<Request>& requests, MakeClient make,
           Call call) {
  if (!Selected(name)) return Result{name, 0, absl::ZeroDuration(), absl::ZeroDuration(), -1};
  const int threads = *FLAGS_concurrency;
  std::atomic<int64_t> failures{0};
  std::vector<std::vector<absl::Duration>> latencies(threads);
  auto pass = [&](int rounds, bool record) {
    std::atomic<size_t> next{0};
    const size_t total = requests.size() * rounds;
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        auto client = make();
        for (size_t i; (i = next.fetch_add(1)) < total;) {
          const Request& r = requests[i % requests.size()];
          const absl::Time start = absl::Now();
          const bool ok = call(client, r);
          if (record) latencies[t].push_back(absl::Now() - start);
          if (!ok) failures.fetch_add(1);
        }
      });
    }
    for (auto& w : workers) w.join();
  };
  pass(1, false);
  failures = 0;
  const absl::Time start = absl::Now();
  pass(*FLAGS_rounds, true);
  const absl::Duration elapsed = absl::Now() - start;
  std::vector<absl::Duration> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  size_t ips = 0;
  for (const Request& r : requests) ips += r.ips.size();
  Result result;
  result.name = name;
  result.ips_per_second = static_cast<double>(ips) * *FLAGS_rounds / absl::ToDoubleSeconds(elapsed);
  result.p50 = all[all.size() / 2];
  result.p99 = all[std::min(all.size() - 1, all.size() * 99 / 100)];
  result.failures = failures;
  return result;
}

Result RunHttp(const std::string& name, const std::string& socket,
               const std::vector<Request>& requests) {
  return Run(
      name, requests, [&] { return std::make_unique<HttpClient>(socket); },
      [](std::unique_ptr<HttpClient>& client, const Request& r) {
        return client->ok() && !client->Get(r.query).empty();
      });
}

Result RunGrpc(const std::string& name, const std::string& socket,
               const std::vector<Request>& requests) {
  return Run(
      name, requests,
      [&] {
        grpc::ChannelArguments args;
        args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
        args.SetMaxReceiveMessageSize(64 << 20);
        if (*FLAGS_lookahead > 0) args.SetInt("grpc.http2.lookahead_bytes", *FLAGS_lookahead);
        return mlab::annotator::Annotator::NewStub(
            grpc::CreateCustomChannel("unix:" + socket, grpc::InsecureChannelCredentials(), args));
      },
      [](std::unique_ptr<mlab::annotator::Annotator::Stub>& stub, const Request& r) {
        mlab::annotator::AnnotateRequest request;
        for (const std::string& ip : r.ips) request.add_ips(ip);
        mlab::annotator::AnnotateResponse response;
        grpc::ClientContext context;
        return stub->Annotate(&context, request, &response).ok() && response.annotations_size() > 0;
      });
}

// gRPC as the server sees it: `threads` threads, each keeping `inflight` calls outstanding on its
// own channel with the asynchronous generic API, requests serialized once beforehand and answers
// left as bytes (as the HTTP client leaves its JSON), so client work does not hide the server's.
Result RunGrpcAsync(const std::string& name, const std::string& socket,
                    const std::vector<Request>& requests, int threads, int inflight) {
  if (!Selected(name)) return Result{name, 0, absl::ZeroDuration(), absl::ZeroDuration(), -1};
  struct Call {
    grpc::ClientContext context;
    grpc::ByteBuffer response;
    grpc::Status status;
    std::unique_ptr<grpc::ClientAsyncResponseReader<grpc::ByteBuffer>> reader;
    absl::Time start;
  };
  std::atomic<int64_t> failures{0};
  std::vector<std::vector<absl::Duration>> latencies(threads);
  std::vector<grpc::ByteBuffer> buffers;
  for (const Request& r : requests) {
    mlab::annotator::AnnotateRequest p;
    for (const std::string& ip : r.ips) p.add_ips(ip);
    const std::string bytes = p.SerializeAsString();
    grpc::Slice slice(bytes);
    buffers.emplace_back(&slice, 1);
  }
  auto pass = [&](int rounds, bool record) {
    std::atomic<size_t> next{0};
    const size_t total = requests.size() * rounds;
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        grpc::ChannelArguments args;
        args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
        args.SetMaxReceiveMessageSize(64 << 20);
        grpc::GenericStub stub(
            grpc::CreateCustomChannel("unix:" + socket, grpc::InsecureChannelCredentials(), args));
        grpc::CompletionQueue cq;
        int outstanding = 0;
        auto issue = [&]() {
          const size_t i = next.fetch_add(1);
          if (i >= total) return false;
          auto* call = new Call();
          call->start = absl::Now();
          call->reader = stub.PrepareUnaryCall(&call->context, "/mlab.annotator.Annotator/Annotate",
                                               buffers[i % buffers.size()], &cq);
          call->reader->StartCall();
          call->reader->Finish(&call->response, &call->status, call);
          ++outstanding;
          return true;
        };
        for (int k = 0; k < inflight && issue(); ++k) {
        }
        void* tag;
        bool ok;
        while (outstanding > 0 && cq.Next(&tag, &ok)) {
          auto* call = static_cast<Call*>(tag);
          --outstanding;
          if (record) latencies[t].push_back(absl::Now() - call->start);
          if (!ok || !call->status.ok() || call->response.Length() == 0) failures.fetch_add(1);
          delete call;
          issue();
        }
      });
    }
    for (auto& w : workers) w.join();
  };
  pass(1, false);
  failures = 0;
  const absl::Time start = absl::Now();
  pass(*FLAGS_rounds, true);
  const absl::Duration elapsed = absl::Now() - start;
  std::vector<absl::Duration> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  size_t ips = 0;
  for (const Request& r : requests) ips += r.ips.size();
  Result result;
  result.name = name;
  result.ips_per_second = static_cast<double>(ips) * *FLAGS_rounds / absl::ToDoubleSeconds(elapsed);
  result.p50 = all[all.size() / 2];
  result.p99 = all[std::min(all.size() - 1, all.size() * 99 / 100)];
  result.failures = failures;
  return result;
}

int64_t RssKb(int pid) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    if (absl::StartsWith(line, "VmRSS:")) return std::stoll(line.substr(6));
  }
  return -1;
}

void Print(const Result& r, const Result* baseline) {
  if (r.failures < 0) return;  // Not selected.
  std::string ratio;
  if (baseline != nullptr && baseline->ips_per_second > 0) {
    ratio = absl::StrFormat("%6.2fx", r.ips_per_second / baseline->ips_per_second);
  }
  printf("%-44s %12.0f %10.3f %10.3f %8lld %s\n", r.name.c_str(), r.ips_per_second,
         absl::ToDoubleMilliseconds(r.p50), absl::ToDoubleMilliseconds(r.p99),
         static_cast<long long>(r.failures), ratio.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  mlab::flags::ParseOrExit(argc, argv, "Benchmarks uuid-annotator against upstream's.");
  setvbuf(stdout, nullptr, _IOLBF, 0);
  if (access(FLAGS_upstream->c_str(), X_OK) != 0) {
    fprintf(stderr, "%s missing: run tools/setup\n", FLAGS_upstream->c_str());
    return 1;
  }
  TempDir dir;
  const std::string t = *FLAGS_testdata + "/uuid-annotator/testdata/";
  const std::vector<std::string> common = {
      "-hostname=@" + t + "hostname",
      "-maxmind.url=file:" + t + "fake.tar.gz",
      "-routeview-v4.url=file:" + t + "RouteViewIPv4.pfx2as.gz",
      "-routeview-v6.url=file:" + t + "RouteViewIPv6.pfx2as.gz",
      "-asname.url=file:" + *FLAGS_testdata + "/uuid-annotator/data/asnames.ipinfo.csv",
      "-siteinfo.url=file:" + t + "annotations.json",
      "-prometheusx.listen-address=127.0.0.1:0",
      "-datadir=" + dir.File("data"),
  };
  std::vector<std::string> upstream_argv = {*FLAGS_upstream,
                                            "-ipservice.sock=" + dir.File("upstream.sock")};
  upstream_argv.insert(upstream_argv.end(), common.begin(), common.end());
  std::vector<std::string> ours_argv = {"services/uuid-annotator/uuid-annotator",
                                        "-ipservice.sock=" + dir.File("ours-http.sock"),
                                        "-annotator.socket=" + dir.File("ours-grpc.sock")};
  ours_argv.insert(ours_argv.end(), common.begin(), common.end());

  const absl::Time t0 = absl::Now();
  Subprocess upstream(upstream_argv, dir.File("upstream.log"));
  if (!WaitFor([&] { return access(dir.File("upstream.sock").c_str(), F_OK) == 0; },
               absl::Seconds(120))) {
    fprintf(stderr, "upstream did not start:\n%s\n", upstream.log().c_str());
    return 1;
  }
  const absl::Duration upstream_start = absl::Now() - t0;
  const absl::Time t1 = absl::Now();
  Subprocess ours(ours_argv, dir.File("ours.log"));
  if (!WaitFor([&] { return absl::StrContains(ours.log(), "uuid-annotator running"); },
               absl::Seconds(120))) {
    fprintf(stderr, "ours did not start:\n%s\n", ours.log().c_str());
    return 1;
  }
  const absl::Duration ours_start = absl::Now() - t1;

  const std::vector<std::string> ips = Addresses(*FLAGS_ips);
  const std::vector<Request> single = Requests(ips, 1);
  const std::vector<Request> batched = Requests(ips, *FLAGS_batch);
  const std::vector<Request> whole = Requests(ips, static_cast<int>(ips.size()));

  printf("uuid-annotator benchmark: %zu addresses, %d client threads, %d rounds, %u CPUs\n",
         ips.size(), *FLAGS_concurrency, *FLAGS_rounds, std::thread::hardware_concurrency());
  printf(
      "datasets: MaxMind GeoIP2-City-Test, RouteViews v4 (845,161) + v6 (83,125), IPinfo AS "
      "names\n");
  printf("startup (datasets loaded, serving): upstream %.2fs, ours %.2fs\n\n",
         absl::ToDoubleSeconds(upstream_start), absl::ToDoubleSeconds(ours_start));
  printf("%-44s %12s %10s %10s %8s %s\n", "run", "IPs/s", "p50 ms", "p99 ms", "failed",
         "vs upstream");

  const Result up1 =
      RunHttp("upstream Go ipservice HTTP, 1 IP/request", dir.File("upstream.sock"), single);
  Print(up1, nullptr);
  Print(RunHttp("ours ipservice HTTP, 1 IP/request", dir.File("ours-http.sock"), single), &up1);
  Print(RunGrpc("ours Annotator gRPC, 1 IP/request", dir.File("ours-grpc.sock"), single), &up1);
  Print(RunGrpcAsync("ours Annotator gRPC, raw async client, 1 IP/req", dir.File("ours-grpc.sock"),
                     single, 1, *FLAGS_concurrency * 2),
        &up1);
  const std::string batch_label = absl::StrCat(*FLAGS_batch, " IPs/request");
  const Result upb =
      RunHttp("upstream Go ipservice HTTP, " + batch_label, dir.File("upstream.sock"), batched);
  Print(upb, nullptr);
  Print(RunHttp("ours ipservice HTTP, " + batch_label, dir.File("ours-http.sock"), batched), &upb);
  Print(RunGrpc("ours Annotator gRPC, " + batch_label, dir.File("ours-grpc.sock"), batched), &upb);
  Print(RunGrpcAsync("ours Annotator gRPC, raw async client, " + batch_label,
                     dir.File("ours-grpc.sock"), batched, 1, *FLAGS_concurrency * 2),
        &upb);
  const Result upw = RunHttp(absl::StrCat("upstream Go ipservice HTTP, ", ips.size(), " IPs/req"),
                             dir.File("upstream.sock"), whole);
  Print(upw, nullptr);
  Print(RunGrpc(absl::StrCat("ours Annotator gRPC, ", ips.size(), " IPs/req"),
                dir.File("ours-grpc.sock"), whole),
        &upw);
  Print(
      RunGrpcAsync(absl::StrCat("ours Annotator gRPC, raw async client, ", ips.size(), " IPs/req"),
                   dir.File("ours-grpc.sock"), whole, 1, *FLAGS_concurrency),
      &upw);
  if (getenv("BENCH_SHOW_LOG")) printf("%s\n", ours.log().c_str());
  printf("\nresident memory after the runs: upstream %lld MB, ours %lld MB\n",
         static_cast<long long>(RssKb(upstream.pid()) / 1024),
         static_cast<long long>(RssKb(ours.pid()) / 1024));
  return 0;
}
