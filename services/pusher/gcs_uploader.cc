#include "services/pusher/gcs_uploader.h"

#include "absl/random/random.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "glog/logging.h"
#include "rapidjson/document.h"
#include "services/pusher/checksums.h"

namespace mlab::pusher {
namespace {

std::string JsonString(absl::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

// Parses "bytes=0-N" into N+1 (the number of bytes persisted); 0 without a Range header.
int64_t PersistedFromRange(absl::string_view range) {
  size_t dash = range.rfind('-');
  int64_t last = -1;
  if (dash == absl::string_view::npos || !absl::SimpleAtoi(range.substr(dash + 1), &last)) {
    return 0;
  }
  return last + 1;
}

}  // namespace

absl::StatusOr<ObjectInfo> ParseGcsObject(absl::string_view json, uint32_t* crc32c,
                                          bool* has_crc32c) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    return absl::UnavailableError(
        absl::StrCat("unparsable object resource: ", json.substr(0, 200)));
  }
  ObjectInfo info;
  // An unreadable size stays unknown (-1), so it never matches what we sent.
  if (doc.HasMember("size") && doc["size"].IsString() &&
      !absl::SimpleAtoi(doc["size"].GetString(), &info.size)) {
    info.size = -1;
  }
  if (doc.HasMember("md5Hash") && doc["md5Hash"].IsString()) {
    absl::Base64Unescape(doc["md5Hash"].GetString(), &info.md5);
  }
  if (has_crc32c != nullptr) *has_crc32c = false;
  if (doc.HasMember("crc32c") && doc["crc32c"].IsString() && crc32c != nullptr) {
    std::string raw;
    if (absl::Base64Unescape(doc["crc32c"].GetString(), &raw) && raw.size() == 4) {
      *crc32c = (uint32_t{static_cast<unsigned char>(raw[0])} << 24) |
                (uint32_t{static_cast<unsigned char>(raw[1])} << 16) |
                (uint32_t{static_cast<unsigned char>(raw[2])} << 8) |
                uint32_t{static_cast<unsigned char>(raw[3])};
      if (has_crc32c != nullptr) *has_crc32c = true;
    }
  }
  return info;
}

GcsUploader::GcsUploader(Options options) : options_(std::move(options)) {}

absl::StatusOr<HttpResponse> GcsUploader::Send(HttpRequest& request) {
  if (options_.tokens != nullptr) {
    absl::StatusOr<std::string> token = options_.tokens->Token();
    if (!token.ok()) return token.status();
    request.headers.push_back(absl::StrCat("Authorization: Bearer ", *token));
  }
  absl::StatusOr<HttpResponse> response = http_.Do(request);
  if (response.ok() && response->status == 401 && options_.tokens != nullptr) {
    options_.tokens->Invalidate();
  }
  return response;
}

std::string GcsUploader::MetadataJson(const UploadRequest& request) const {
  return absl::StrCat("{\"name\":", JsonString(request.object_name),
                      ",\"contentType\":\"application/gzip\",\"md5Hash\":",
                      JsonString(absl::Base64Escape(request.md5)),
                      ",\"crc32c\":", JsonString(Crc32cBase64(request.crc32c)), "}");
}

absl::Status GcsUploader::CheckStored(const UploadRequest& request, absl::string_view json) {
  uint32_t crc = 0;
  bool has_crc = false;
  absl::StatusOr<ObjectInfo> info = ParseGcsObject(json, &crc, &has_crc);
  if (!info.ok()) return info.status();
  if (info->size != static_cast<int64_t>(request.body.size()) || info->md5 != request.md5 ||
      (has_crc && crc != request.crc32c)) {
    return absl::DataLossError(absl::StrCat("gs://", options_.bucket, "/", request.object_name,
                                            " stored with size ", info->size, " md5 ",
                                            HexEncode(info->md5), "; sent ", request.body.size(),
                                            " md5 ", HexEncode(request.md5)));
  }
  return absl::OkStatus();
}

absl::Status GcsUploader::Upload(const UploadRequest& request) {
  if (options_.chunk_size > 0 && static_cast<int64_t>(request.body.size()) > options_.chunk_size) {
    return Resumable(request);
  }
  return Multipart(request);
}

absl::Status GcsUploader::Multipart(const UploadRequest& request) {
  std::string boundary = absl::StrCat("pusher-", absl::Uniform<uint64_t>(absl::BitGen()));
  std::string body = absl::StrCat(
      "--", boundary, "\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n",
      MetadataJson(request), "\r\n--", boundary, "\r\nContent-Type: application/gzip\r\n\r\n");
  body.reserve(body.size() + request.body.size() + boundary.size() + 8);
  absl::StrAppend(&body, request.body, "\r\n--", boundary, "--\r\n");
  HttpRequest http;
  http.method = "POST";
  http.url = absl::StrCat(options_.endpoint, "/upload/storage/v1/b/", UrlEncode(options_.bucket),
                          "/o?uploadType=multipart&ifGenerationMatch=0");
  http.headers = {absl::StrCat("Content-Type: multipart/related; boundary=", boundary)};
  http.body = body;
  http.timeout = options_.timeout;
  http.cancel = request.cancel;
  absl::StatusOr<HttpResponse> response = Send(http);
  if (!response.ok()) return response.status();
  if (absl::Status s = StatusFromHttp(http, *response); !s.ok()) return s;
  return CheckStored(request, response->body);
}

absl::StatusOr<int64_t> GcsUploader::QuerySession(const UploadRequest& request,
                                                  const std::string& session) {
  HttpRequest http;
  http.method = "PUT";
  http.url = session;
  http.headers = {absl::StrCat("Content-Range: bytes */", request.body.size())};
  http.timeout = absl::Minutes(1);
  http.cancel = request.cancel;
  absl::StatusOr<HttpResponse> response = Send(http);
  if (!response.ok()) return response.status();
  if (response->status == 308) return PersistedFromRange(response->Header("range"));
  if (response->status == 200 || response->status == 201) {
    if (absl::Status s = CheckStored(request, response->body); !s.ok()) return s;
    return static_cast<int64_t>(request.body.size());
  }
  if (response->status == 404 || response->status == 410) return -1;
  return StatusFromHttp(http, *response);
}

absl::Status GcsUploader::SendChunks(const UploadRequest& request, const std::string& session,
                                     int64_t offset) {
  const int64_t total = request.body.size();
  while (true) {
    int64_t end = std::min(total, offset + options_.chunk_size);
    HttpRequest http;
    http.method = "PUT";
    http.url = session;
    http.headers = {"Content-Type: application/gzip",
                    absl::StrCat("Content-Range: bytes ", offset, "-", end - 1, "/", total)};
    http.body = request.body.substr(offset, end - offset);
    http.timeout = options_.timeout;
    http.cancel = request.cancel;
    absl::StatusOr<HttpResponse> response = Send(http);
    if (!response.ok()) return response.status();
    if (response->status == 308) {
      // GCS may keep less than was sent: continue from what it has, as long as it grows.
      int64_t persisted = PersistedFromRange(response->Header("range"));
      if (persisted <= offset || persisted >= total) {
        return absl::UnavailableError(absl::StrCat("resumable upload stalled at ", persisted));
      }
      offset = persisted;
      continue;
    }
    if (response->status == 404 || response->status == 410) {
      sessions_.erase(request.object_name);
      return absl::UnavailableError("resumable session expired");
    }
    if (absl::Status s = StatusFromHttp(http, *response); !s.ok()) return s;
    return CheckStored(request, response->body);
  }
}

absl::Status GcsUploader::Resumable(const UploadRequest& request) {
  int64_t offset = 0;
  auto it = sessions_.find(request.object_name);
  std::string session;
  if (it != sessions_.end()) {
    absl::StatusOr<int64_t> persisted = QuerySession(request, it->second);
    if (!persisted.ok()) {
      // A finished session whose object differs, or an unreachable server: start over next time
      // only if the session itself is the problem.
      if (absl::IsDataLoss(persisted.status())) sessions_.erase(it);
      return persisted.status();
    }
    if (*persisted == static_cast<int64_t>(request.body.size())) {
      sessions_.erase(it);
      return absl::OkStatus();
    }
    if (*persisted >= 0) {
      session = it->second;
      offset = *persisted;
    } else {
      sessions_.erase(it);
    }
  }
  if (session.empty()) {
    std::string metadata = MetadataJson(request);
    HttpRequest http;
    http.method = "POST";
    http.url = absl::StrCat(options_.endpoint, "/upload/storage/v1/b/", UrlEncode(options_.bucket),
                            "/o?uploadType=resumable&ifGenerationMatch=0");
    http.headers = {"Content-Type: application/json; charset=UTF-8",
                    "X-Upload-Content-Type: application/gzip",
                    absl::StrCat("X-Upload-Content-Length: ", request.body.size())};
    http.body = metadata;
    http.timeout = absl::Minutes(1);
    http.cancel = request.cancel;
    absl::StatusOr<HttpResponse> response = Send(http);
    if (!response.ok()) return response.status();
    if (absl::Status s = StatusFromHttp(http, *response); !s.ok()) return s;
    session = response->Header("location");
    if (session.empty()) return absl::UnavailableError("resumable upload without a Location");
    sessions_[request.object_name] = session;
  }
  absl::Status status = SendChunks(request, session, offset);
  if (status.ok() || absl::IsAlreadyExists(status) || absl::IsDataLoss(status)) {
    sessions_.erase(request.object_name);
  }
  return status;
}

absl::StatusOr<ObjectInfo> GcsUploader::Stat(const std::string& object_name) {
  HttpRequest http;
  http.url = absl::StrCat(options_.endpoint, "/storage/v1/b/", UrlEncode(options_.bucket), "/o/",
                          UrlEncode(object_name));
  http.timeout = absl::Minutes(1);
  absl::StatusOr<HttpResponse> response = Send(http);
  if (!response.ok()) return response.status();
  if (absl::Status s = StatusFromHttp(http, *response); !s.ok()) return s;
  return ParseGcsObject(response->body);
}

}  // namespace mlab::pusher
