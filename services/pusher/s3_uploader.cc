#include "services/pusher/s3_uploader.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "services/pusher/checksums.h"

namespace mlab::pusher {
namespace {

// Each key segment percent-encoded as SigV4's canonical URI expects; '/' kept.
std::string EncodeKey(const std::string& key) {
  std::vector<std::string> parts;
  for (absl::string_view part : absl::StrSplit(key, '/')) parts.push_back(UrlEncode(part));
  return absl::StrJoin(parts, "/");
}

std::string EtagMd5(absl::string_view etag) {
  etag = absl::StripAsciiWhitespace(etag);
  absl::ConsumePrefix(&etag, "\"");
  absl::ConsumeSuffix(&etag, "\"");
  return absl::HexStringToBytes(absl::AsciiStrToLower(etag));
}

}  // namespace

S3Uploader::S3Uploader(Options options) : options_(std::move(options)) {}

std::string S3Uploader::ObjectUrl(const std::string& object_name) const {
  if (options_.path_style) {
    return absl::StrCat(options_.endpoint, "/", options_.bucket, "/", EncodeKey(object_name));
  }
  absl::string_view endpoint = options_.endpoint;
  absl::string_view scheme = "https://";
  if (absl::ConsumePrefix(&endpoint, "http://")) scheme = "http://";
  absl::ConsumePrefix(&endpoint, "https://");
  return absl::StrCat(scheme, options_.bucket, ".", endpoint, "/", EncodeKey(object_name));
}

void S3Uploader::Sign(HttpRequest& request, absl::string_view payload_sha256) const {
  request.headers.push_back(absl::StrCat("x-amz-content-sha256: ", payload_sha256));
  if (!options_.session_token.empty()) {
    request.headers.push_back(absl::StrCat("x-amz-security-token: ", options_.session_token));
  }
  request.aws_sigv4 = absl::StrCat("aws:amz:", options_.region, ":s3");
  request.user_password = absl::StrCat(options_.access_key_id, ":", options_.secret_access_key);
}

absl::Status S3Uploader::Upload(const UploadRequest& request) {
  HttpRequest http;
  http.method = "PUT";
  http.url = ObjectUrl(request.object_name);
  http.headers = {"Content-Type: application/gzip",
                  absl::StrCat("Content-MD5: ", absl::Base64Escape(request.md5)),
                  "If-None-Match: *"};
  http.body = request.body;
  http.timeout = options_.timeout;
  http.cancel = request.cancel;
  Sign(http, Sha256Hex(request.body));
  absl::StatusOr<HttpResponse> response = http_.Do(http);
  if (!response.ok()) return response.status();
  // 409 ConditionalRequestConflict: a concurrent conditional write; retry later.
  if (response->status == 409) return absl::UnavailableError(response->body.substr(0, 300));
  if (absl::Status s = StatusFromHttp(http, *response); !s.ok()) return s;
  std::string md5 = EtagMd5(response->Header("etag"));
  if (md5 != request.md5) {
    return absl::DataLossError(absl::StrCat("s3://", options_.bucket, "/", request.object_name,
                                            " stored with ETag ", response->Header("etag"),
                                            "; sent md5 ", HexEncode(request.md5)));
  }
  return absl::OkStatus();
}

absl::StatusOr<ObjectInfo> S3Uploader::Stat(const std::string& object_name) {
  HttpRequest http;
  http.method = "HEAD";
  http.url = ObjectUrl(object_name);
  http.timeout = absl::Minutes(1);
  Sign(http, Sha256Hex(""));
  absl::StatusOr<HttpResponse> response = http_.Do(http);
  if (!response.ok()) return response.status();
  if (absl::Status s = StatusFromHttp(http, *response); !s.ok()) return s;
  ObjectInfo info;
  if (!absl::SimpleAtoi(response->Header("content-length"), &info.size)) info.size = -1;
  std::string etag = response->Header("etag");
  // A multipart ETag ("...-N") is not an MD5.
  if (!absl::StrContains(etag, "-")) info.md5 = EtagMd5(etag);
  return info;
}

}  // namespace mlab::pusher
