#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "glog/logging.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/admin/admin_server.h"
#include "services/pusher/checksums.h"
#include "services/pusher/gcs_auth.h"
#include "services/pusher/gcs_uploader.h"
#include "services/pusher/local_uploader.h"
#include "services/pusher/s3_uploader.h"
#include "services/pusher/testing/test_util.h"
#include "services/pusher/uploader_factory.h"

namespace mlab::pusher {
namespace {

using testing::PeerProcess;
using testing::ScratchDir;

// body must outlive the request (it is a view); literals and named strings do.
UploadRequest Request(const std::string& name, absl::string_view body) {
  UploadRequest r;
  r.object_name = name;
  r.body = body;
  r.md5 = Md5(body);
  r.crc32c = Crc32c(body);
  return r;
}

std::string Random(size_t n, uint32_t seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) {
    seed = seed * 1103515245 + 12345;
    s[i] = static_cast<char>(seed >> 16);
  }
  return s;
}

// The contract every backend keeps: create-only, confirmed checksums, NotFound from Stat.
void CheckBackendContract(Uploader& uploader, const std::string& large_body) {
  std::string body = "archive bytes";
  UploadRequest first = Request("ndt/ndt7/2024/05/01/a.tgz", body);
  ASSERT_TRUE(uploader.Upload(first).ok()) << uploader.Upload(first);
  absl::StatusOr<ObjectInfo> info = uploader.Stat(first.object_name);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->size, static_cast<int64_t>(body.size()));
  EXPECT_EQ(info->md5, Md5(body));
  EXPECT_TRUE(absl::IsNotFound(uploader.Stat("ndt/ndt7/2024/05/01/none.tgz").status()));
  UploadRequest large = Request("ndt/ndt7/2024/05/01/large.tgz", large_body);
  absl::Status status = uploader.Upload(large);
  ASSERT_TRUE(status.ok()) << status;
  info = uploader.Stat(large.object_name);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->md5, Md5(large_body));
  EXPECT_EQ(info->size, static_cast<int64_t>(large_body.size()));
}

TEST(LocalUploaderTest, KeepsTheContract) {
  ScratchDir dir;
  LocalUploader uploader(dir.path());
  CheckBackendContract(uploader, Random(3 << 20, 1));
  // Create-only: the second upload under a name fails and leaves the first bytes.
  absl::Status again = uploader.Upload(Request("ndt/ndt7/2024/05/01/a.tgz", "other bytes"));
  EXPECT_TRUE(absl::IsAlreadyExists(again)) << again;
  EXPECT_EQ(testing::ReadFileOrDie(dir.path() + "/ndt/ndt7/2024/05/01/a.tgz"), "archive bytes");
  // No temporaries are left behind.
  for (const std::string& f : testing::ListFiles(dir.path())) {
    EXPECT_EQ(f.find(".pusher-tmp"), std::string::npos) << f;
  }
}

TEST(LocalUploaderTest, CancelledUploadStoresNothing) {
  ScratchDir dir;
  LocalUploader uploader(dir.path());
  std::atomic<bool> cancel{true};
  std::string body = Random(4 << 20, 2);
  UploadRequest r = Request("x/y.tgz", body);
  r.cancel = &cancel;
  EXPECT_TRUE(absl::IsCancelled(uploader.Upload(r)));
  EXPECT_TRUE(absl::IsNotFound(uploader.Stat("x/y.tgz").status()));
}

class FakeGcs : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string binary = testing::PeersDir() + "/bin/fake-gcs-server";
    port_ = testing::StartHttpPeer(
        [&](int port) {
          return std::vector<std::string>{
              binary,  "-scheme",          "http",     "-host",  "127.0.0.1",
              "-port", absl::StrCat(port), "-backend", "memory", "-log-level",
              "error"};
        },
        "/storage/v1/b", &server_);
    ASSERT_NE(server_, nullptr) << "fake-gcs-server is not installed at " << binary
                                << "; run tools/setup";
    ASSERT_NE(port_, 0) << "fake-gcs-server did not start";
    endpoint_ = absl::StrCat("http://127.0.0.1:", port_);
    HttpClient http;
    HttpRequest create;
    create.method = "POST";
    create.url = endpoint_ + "/storage/v1/b";
    create.headers = {"Content-Type: application/json"};
    std::string body = R"({"name":"pusher-test"})";
    create.body = body;
    ASSERT_EQ(http.Do(create)->status, 200);
  }

  GcsUploader::Options Options() {
    GcsUploader::Options options;
    options.endpoint = endpoint_;
    options.bucket = "pusher-test";
    options.chunk_size = 256 << 10;
    return options;
  }

  int port_ = 0;
  std::string endpoint_;
  std::unique_ptr<PeerProcess> server_;
};

TEST_F(FakeGcs, MultipartAndResumableKeepTheContract) {
  GcsUploader uploader(Options());
  // 1 MiB + 1 byte: four full 256 KiB chunks and a last one of one byte.
  CheckBackendContract(uploader, Random((1 << 20) + 1, 3));
}

TEST_F(FakeGcs, IfGenerationMatchZeroMakesUploadsCreateOnly) {
  GcsUploader uploader(Options());
  ASSERT_TRUE(uploader.Upload(Request("a/b.tgz", "one")).ok());
  EXPECT_TRUE(absl::IsAlreadyExists(uploader.Upload(Request("a/b.tgz", "two"))));
  // Resumable too.
  std::string big = Random(600 << 10, 4);
  ASSERT_TRUE(uploader.Upload(Request("a/big.tgz", big)).ok());
  EXPECT_TRUE(absl::IsAlreadyExists(uploader.Upload(Request("a/big.tgz", Random(600 << 10, 5)))));
  EXPECT_EQ(uploader.Stat("a/big.tgz")->md5, Md5(big));
}

TEST_F(FakeGcs, AWrongChecksumIsRefused) {
  GcsUploader uploader(Options());
  UploadRequest r = Request("a/corrupt.tgz", "payload");
  r.md5 = Md5("something else");
  absl::Status status = uploader.Upload(r);
  EXPECT_FALSE(status.ok());
  EXPECT_TRUE(absl::IsNotFound(uploader.Stat("a/corrupt.tgz").status()));
}

TEST_F(FakeGcs, UnreachableServerIsRetryable) {
  GcsUploader::Options options = Options();
  options.endpoint = absl::StrCat("http://127.0.0.1:", testing::FreePort());
  GcsUploader uploader(options);
  absl::Status status = uploader.Upload(Request("a/b.tgz", "x"));
  EXPECT_TRUE(absl::IsUnavailable(status)) << status;
}

TEST(S3UploaderTest, KeepsTheContractAgainstS3rver) {
  std::string script = testing::PeersDir() + "/node/node_modules/s3rver/bin/s3rver.js";
  ScratchDir data;
  ASSERT_EQ(access(script.c_str(), R_OK), 0)
      << "s3rver is not installed at " << script << "; run tools/setup";
  std::unique_ptr<PeerProcess> server;
  const int port = testing::StartHttpPeer(
      [&](int port) {
        return std::vector<std::string>{
            "/usr/bin/node",      script,        "--directory", data.path(),
            "--address",          "127.0.0.1",   "--port",      absl::StrCat(port),
            "--configure-bucket", "pusher-test", "--silent"};
      },
      "/", &server);
  ASSERT_NE(server, nullptr) << "node is missing; run tools/setup";
  ASSERT_NE(port, 0) << "s3rver did not start";
  std::string endpoint = absl::StrCat("http://127.0.0.1:", port);
  S3Uploader::Options options;
  options.endpoint = endpoint;
  options.bucket = "pusher-test";
  options.path_style = true;
  options.access_key_id = "S3RVER";
  options.secret_access_key = "S3RVER";
  S3Uploader uploader(options);
  CheckBackendContract(uploader, Random(2 << 20, 6));
}

TEST(S3UploaderTest, AddressingStyles) {
  S3Uploader::Options options;
  options.endpoint = "https://s3.eu-west-1.amazonaws.com";
  options.bucket = "b";
  EXPECT_EQ(S3Uploader(options).ObjectUrl("ndt/x:y.tgz"),
            "https://b.s3.eu-west-1.amazonaws.com/ndt/x%3Ay.tgz");
  options.endpoint = "http://127.0.0.1:9000";
  options.path_style = true;
  EXPECT_EQ(S3Uploader(options).ObjectUrl("ndt/a.tgz"), "http://127.0.0.1:9000/b/ndt/a.tgz");
}

// A token endpoint that checks the RS256 signature of the JWT assertion it is given.
class TokenServer {
 public:
  TokenServer() : key_(EVP_RSA_gen(2048)) {
    admin::AdminServer::Options options;
    options.listen_address = "127.0.0.1:0";
    server_ = std::make_unique<admin::AdminServer>(options);
    server_->Handle("/token",
                    [this](const admin::HttpRequest& request) { return Answer(request); });
    server_->Handle("/computeMetadata/v1/instance/service-accounts/default/token",
                    [this](const admin::HttpRequest&) {
                      ++requests_;
                      admin::HttpResponse r;
                      r.content_type = "application/json";
                      r.body = R"({"access_token":"from-metadata","expires_in":3600})";
                      return r;
                    });
    CHECK(server_->Start().ok());
  }
  ~TokenServer() {
    server_->Stop();
    EVP_PKEY_free(key_);
  }

  std::string PrivateKeyPem() const {
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, key_, nullptr, nullptr, 0, nullptr, nullptr);
    char* data;
    long len = BIO_get_mem_data(bio, &data);
    std::string pem(data, len);
    BIO_free(bio);
    return pem;
  }
  std::string url(const std::string& path) const {
    return absl::StrCat("http://127.0.0.1:", server_->port(), path);
  }
  int requests() const { return requests_; }
  const std::string& last_claims() const { return last_claims_; }

 private:
  admin::HttpResponse Answer(const admin::HttpRequest& request) {
    ++requests_;
    admin::HttpResponse response;
    response.status = 400;
    std::string assertion;
    for (absl::string_view kv : absl::StrSplit(request.body, '&')) {
      if (absl::ConsumePrefix(&kv, "assertion=")) assertion = std::string(kv);
    }
    if (request.body.find("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer") ==
        std::string::npos) {
      return response;
    }
    std::vector<std::string> parts = absl::StrSplit(assertion, '.');
    if (parts.size() != 3) return response;
    std::string signing_input = parts[0] + "." + parts[1];
    std::string signature;
    absl::WebSafeBase64Unescape(parts[2], &signature);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key_) == 1 &&
              EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()),
                               signature.size(),
                               reinterpret_cast<const unsigned char*>(signing_input.data()),
                               signing_input.size()) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok) return response;
    absl::WebSafeBase64Unescape(parts[1], &last_claims_);
    response.status = 200;
    response.content_type = "application/json";
    response.body = R"({"access_token":"signed-ok","expires_in":3600,"token_type":"Bearer"})";
    return response;
  }

  EVP_PKEY* key_;
  std::unique_ptr<admin::AdminServer> server_;
  std::atomic<int> requests_{0};
  std::string last_claims_;
};

TEST(GcsAuthTest, ServiceAccountJwtIsSignedAndExchangedOnce) {
  TokenServer server;
  std::string key_json = absl::StrCat(
      R"({"type":"service_account","client_email":"pusher@test.iam.gserviceaccount.com",)",
      R"("private_key":")", absl::CEscape(server.PrivateKeyPem()), R"(","token_uri":")",
      server.url("/token"), R"("})");
  ScratchDir dir;
  std::string path = dir.WriteFile("key.json", key_json);
  absl::StatusOr<std::unique_ptr<ServiceAccountTokenSource>> source =
      ServiceAccountTokenSource::FromFile(path);
  ASSERT_TRUE(source.ok()) << source.status();
  absl::StatusOr<std::string> token = (*source)->Token();
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(*token, "signed-ok");
  EXPECT_THAT(server.last_claims(),
              ::testing::HasSubstr(R"("iss":"pusher@test.iam.gserviceaccount.com")"));
  EXPECT_THAT(server.last_claims(),
              ::testing::HasSubstr("https://www.googleapis.com/auth/devstorage.read_write"));
  EXPECT_EQ(*(*source)->Token(), "signed-ok");
  EXPECT_EQ(server.requests(), 1) << "the token should be cached until it nears expiry";
  (*source)->Invalidate();
  EXPECT_EQ(*(*source)->Token(), "signed-ok");
  EXPECT_EQ(server.requests(), 2);
}

TEST(GcsAuthTest, MetadataServer) {
  TokenServer server;
  MetadataTokenSource source(server.url(""));
  absl::StatusOr<std::string> token = source.Token();
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(*token, "from-metadata");
}

TEST(GcsAuthTest, RejectsBadKeyFiles) {
  EXPECT_FALSE(ServiceAccountTokenSource::FromJson("{").ok());
  EXPECT_FALSE(ServiceAccountTokenSource::FromJson(R"({"type":"authorized_user"})").ok());
  EXPECT_FALSE(ServiceAccountTokenSource::FromJson(
                   R"({"type":"service_account","client_email":"a","private_key":"nope"})")
                   .ok());
}

TEST(UploaderFactoryTest, ChoosesTheBackendFromTheBucketFlag) {
  ScratchDir dir;
  BackendOptions options;
  options.bucket = "file://" + dir.path() + "/out";
  absl::StatusOr<UploaderFactory> local = MakeUploaderFactory(options);
  ASSERT_TRUE(local.ok());
  EXPECT_EQ((*local)()->Describe(), "file://" + dir.path() + "/out");
  options.bucket = "gs://pusher-mlab-oti";
  options.gcs_endpoint = "127.0.0.1:1";
  EXPECT_EQ((*MakeUploaderFactory(options))()->Describe(), "gs://pusher-mlab-oti");
  options.bucket = "pusher-mlab-oti";  // Upstream's bare bucket name means GCS.
  EXPECT_EQ((*MakeUploaderFactory(options))()->Describe(), "gs://pusher-mlab-oti");
  options.gcs_chunk_size = 1000;
  EXPECT_FALSE(MakeUploaderFactory(options).ok());
  options.bucket = "s3://b";
  unsetenv("AWS_ACCESS_KEY_ID");
  EXPECT_FALSE(MakeUploaderFactory(options).ok());
}

}  // namespace
}  // namespace mlab::pusher
