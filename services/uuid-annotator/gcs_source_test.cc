// gs:// datasets: the JSON API requests upstream's GCS client makes (metadata, then the object
// only when its MD5 changed), and the OAuth2 tokens of each kind of Google credentials.
#include "services/uuid-annotator/gcs_source.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "services/uuid-annotator/annotator_metrics.h"
#include "services/uuid-annotator/test_util.h"

namespace mlab::uuid_annotator {
namespace {

using testing::HttpAnswer;
using testing::TestHttpServer;

std::string Md5Base64(const std::string& data) {
  unsigned char digest[16];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_md5(), nullptr);
  return absl::Base64Escape(std::string(reinterpret_cast<char*>(digest), length));
}

// A GCS JSON API with one object, optionally demanding a bearer token.
class FakeGcs {
 public:
  explicit FakeGcs(std::string token = "")
      : token_(std::move(token)), server_([this](const std::string& r) { return Answer(r); }) {}

  void Set(std::string content, std::string md5 = "") {
    absl::MutexLock lock(&mu_);
    content_ = std::move(content);
    md5_ = md5.empty() ? Md5Base64(content_) : md5;
    ++generation_;
  }
  void SetStatus(int status) {
    absl::MutexLock lock(&mu_);
    status_ = status;
  }
  int downloads() {
    absl::MutexLock lock(&mu_);
    return downloads_;
  }
  std::string endpoint() const { return server_.url(); }
  std::vector<std::string> requests() const { return server_.requests(); }

 private:
  std::string Answer(const std::string& request) {
    absl::MutexLock lock(&mu_);
    if (!token_.empty() && !absl::StrContains(request, "Authorization: Bearer " + token_)) {
      return HttpAnswer(401, "{}");
    }
    if (status_ != 200) return HttpAnswer(status_, "{}");
    const std::string line = request.substr(0, request.find("\r\n"));
    if (!absl::StrContains(
            line, "/storage/v1/b/downloader-test/o/Maxmind%2Fcurrent%2FGeoLite2-City.tar.gz")) {
      return HttpAnswer(404, "{}");
    }
    if (absl::StrContains(line, "alt=media")) {
      ++downloads_;
      return HttpAnswer(200, content_);
    }
    return HttpAnswer(
        200, absl::StrCat(R"({"md5Hash":")", md5_, R"(","generation":")", generation_, R"("})"));
  }

  const std::string token_;
  absl::Mutex mu_;
  std::string content_;
  std::string md5_;
  int generation_ = 0;
  int status_ = 200;
  int downloads_ = 0;
  TestHttpServer server_;
};

std::unique_ptr<GcsSource> Source(const FakeGcs& gcs, std::shared_ptr<GoogleCredentials> creds) {
  return std::make_unique<GcsSource>("gs://downloader-test/Maxmind/current/GeoLite2-City.tar.gz",
                                     "downloader-test", "Maxmind/current/GeoLite2-City.tar.gz",
                                     gcs.endpoint(), std::move(creds));
}

TEST(GcsSourceTest, DownloadsOnlyWhenTheMd5Changes) {
  FakeGcs gcs;
  gcs.Set("first");
  auto source = Source(gcs, GoogleCredentials::Anonymous());
  auto first = source->Fetch("");
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(first->has_value());
  EXPECT_EQ((*first)->data, "first");
  auto same = source->Fetch((*first)->version);
  ASSERT_TRUE(same.ok());
  EXPECT_FALSE(same->has_value());
  EXPECT_EQ(gcs.downloads(), 1);
  gcs.Set("second");
  auto second = source->Fetch((*first)->version);
  ASSERT_TRUE(second.ok() && second->has_value());
  EXPECT_EQ((*second)->data, "second");
  // Upstream's gauge: the new hash 1, the old one 0.
  EXPECT_EQ(metrics::GcsHashLoaded().WithLabels({"8b04d5e3775d298e78455efc5ca404d5"}).Value(), 0)
      << "md5(first)";
  EXPECT_EQ(metrics::GcsHashLoaded().WithLabels({"a9f0e61a137d86aa9db53465e0801612"}).Value(), 1)
      << "md5(second)";
}

TEST(GcsSourceTest, ErrorsAreReported) {
  FakeGcs gcs;
  gcs.Set("data", Md5Base64("other data"));
  auto source = Source(gcs, GoogleCredentials::Anonymous());
  EXPECT_TRUE(absl::IsDataLoss(source->Fetch("").status()));  // Corrupt download.
  gcs.SetStatus(404);
  EXPECT_TRUE(absl::IsNotFound(source->Fetch("").status()));
  gcs.SetStatus(403);
  EXPECT_TRUE(absl::IsPermissionDenied(source->Fetch("").status()));
  gcs.SetStatus(503);
  EXPECT_TRUE(absl::IsUnavailable(source->Fetch("").status()));
  EXPECT_FALSE(DataSource::FromUrl("gs://bucket-only").ok());
  EXPECT_FALSE(DataSource::FromUrl("gs:///object").ok());
}

std::string NewRsaKeyPem(std::string* public_pem) {
  std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> key(EVP_RSA_gen(2048), EVP_PKEY_free);
  std::unique_ptr<BIO, int (*)(BIO*)> bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  char* data;
  long n = BIO_get_mem_data(bio.get(), &data);
  std::string pem(data, n);
  std::unique_ptr<BIO, int (*)(BIO*)> pub(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PUBKEY(pub.get(), key.get());
  n = BIO_get_mem_data(pub.get(), &data);
  public_pem->assign(data, n);
  return pem;
}

bool VerifyRs256(const std::string& public_pem, const std::string& jwt) {
  std::vector<std::string> parts = absl::StrSplit(jwt, '.');
  if (parts.size() != 3) return false;
  std::string signature;
  if (!absl::WebSafeBase64Unescape(parts[2], &signature)) return false;
  const std::string input = parts[0] + "." + parts[1];
  std::unique_ptr<BIO, int (*)(BIO*)> bio(
      BIO_new_mem_buf(public_pem.data(), static_cast<int>(public_pem.size())), BIO_free);
  std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> key(
      PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  return EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(input.data()),
                          input.size()) == 1;
}

std::string JsonEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

TEST(GoogleCredentialsTest, ServiceAccountSignsAJwtAndItsTokenIsUsed) {
  std::string public_pem;
  const std::string private_pem = NewRsaKeyPem(&public_pem);
  TestHttpServer token_server([](const std::string& request) {
    return HttpAnswer(
        200, R"({"access_token":"ya29.test-token","expires_in":3599,"token_type":"Bearer"})");
  });
  const std::string token_uri = token_server.url() + "/token";
  absl::StatusOr<std::unique_ptr<GoogleCredentials>> creds =
      GoogleCredentials::FromJson(absl::StrCat(
          R"({"type":"service_account","project_id":"mlab-sandbox",)",
          R"("client_email":"uuid-annotator@mlab-sandbox.iam.gserviceaccount.com",)",
          R"("private_key":")", JsonEscape(private_pem), R"(","token_uri":")", token_uri, R"("})"));
  ASSERT_TRUE(creds.ok()) << creds.status();
  std::shared_ptr<GoogleCredentials> shared = *std::move(creds);

  FakeGcs gcs("ya29.test-token");
  gcs.Set("payload");
  auto source = Source(gcs, shared);
  auto fetched = source->Fetch("");
  ASSERT_TRUE(fetched.ok()) << fetched.status();
  ASSERT_TRUE(fetched->has_value());
  EXPECT_EQ((*fetched)->data, "payload");
  gcs.Set("payload 2");
  ASSERT_TRUE(source->Fetch((*fetched)->version).ok());

  // One token request (cached after), a JWT bearer grant signed by the service account's key.
  const std::vector<std::string> requests = token_server.requests();
  ASSERT_EQ(requests.size(), 1u);
  const std::string body = requests[0].substr(requests[0].find("\r\n\r\n") + 4);
  ASSERT_TRUE(absl::StartsWith(
      body, "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion="))
      << body;
  const std::string jwt = body.substr(body.find("assertion=") + 10);
  EXPECT_TRUE(VerifyRs256(public_pem, jwt));
  std::string claims;
  ASSERT_TRUE(
      absl::WebSafeBase64Unescape(std::vector<std::string>(absl::StrSplit(jwt, '.'))[1], &claims));
  EXPECT_TRUE(
      absl::StrContains(claims, R"("iss":"uuid-annotator@mlab-sandbox.iam.gserviceaccount.com")"));
  EXPECT_TRUE(absl::StrContains(
      claims, R"("scope":"https://www.googleapis.com/auth/devstorage.read_only")"));
  EXPECT_TRUE(absl::StrContains(claims, absl::StrCat(R"("aud":")", token_uri, "\"")));
}

TEST(GoogleCredentialsTest, AuthorizedUserRefreshesItsToken) {
  TestHttpServer token_server([](const std::string&) {
    return HttpAnswer(200, R"({"access_token":"user-token","expires_in":3600})");
  });
  absl::StatusOr<std::unique_ptr<GoogleCredentials>> creds = GoogleCredentials::FromJson(
      absl::StrCat(R"({"type":"authorized_user","client_id":"id.apps","client_secret":"s3cr&t",)",
                   R"("refresh_token":"1//refresh","token_uri":")", token_server.url(), R"("})"));
  ASSERT_TRUE(creds.ok()) << creds.status();
  absl::StatusOr<std::string> header = (*creds)->AuthorizationHeader();
  ASSERT_TRUE(header.ok()) << header.status();
  EXPECT_EQ(*header, "Authorization: Bearer user-token");
  EXPECT_TRUE(absl::StrContains(token_server.requests()[0],
                                "grant_type=refresh_token&client_id=id.apps&client_secret=s3cr%26t"
                                "&refresh_token=1%2F%2Frefresh"));
}

TEST(GoogleCredentialsTest, MetadataServerOrAnonymous) {
  TestHttpServer metadata([](const std::string& request) {
    if (!absl::StrContains(request, "Metadata-Flavor: Google")) return HttpAnswer(403, "");
    if (!absl::StartsWith(request,
                          "GET /computeMetadata/v1/instance/service-accounts/default/token ")) {
      return HttpAnswer(404, "");
    }
    return HttpAnswer(200, R"({"access_token":"gce-token","expires_in":1800})");
  });
  auto gce = GoogleCredentials::FromMetadataServer(metadata.url());
  absl::StatusOr<std::string> header = gce->AuthorizationHeader();
  ASSERT_TRUE(header.ok()) << header.status();
  EXPECT_EQ(*header, "Authorization: Bearer gce-token");

  int closed_port;
  {
    TestHttpServer gone([](const std::string&) { return std::string(); });
    closed_port = gone.port();
  }
  auto nowhere =
      GoogleCredentials::FromMetadataServer(absl::StrCat("http://127.0.0.1:", closed_port));
  header = nowhere->AuthorizationHeader();
  ASSERT_TRUE(header.ok()) << header.status();
  EXPECT_EQ(*header, "");  // Anonymous: public buckets still work.
}

TEST(GoogleCredentialsTest, BadFilesAreErrors) {
  EXPECT_FALSE(GoogleCredentials::FromJson("not json").ok());
  EXPECT_FALSE(GoogleCredentials::FromJson(R"({"type":"external_account"})").ok());
  EXPECT_FALSE(GoogleCredentials::FromJson(
                   R"({"type":"service_account","client_email":"a@b","private_key":"nope"})")
                   .ok());
}

}  // namespace
}  // namespace mlab::uuid_annotator
