#include "services/ndt-server/payload.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <random>
#include <string>
#include <utility>

#include "glog/logging.h"

namespace mlab::ndt7 {
namespace {

bool WriteAll(int fd, const char* data, size_t n) {
  while (n > 0) {
    const ssize_t w = write(fd, data, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    data += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// kMaxScaledMessageSize random bytes: incompressible, so no middlebox shortens the test.
std::string RandomPayload() {
  std::string data(kMaxScaledMessageSize, '\0');
  std::random_device seed;
  std::mt19937_64 rng(seed());
  for (size_t i = 0; i + 8 <= data.size(); i += 8) {
    const uint64_t v = rng();
    __builtin_memcpy(data.data() + i, &v, 8);
  }
  return data;
}

}  // namespace

absl::string_view SharedPayload() { return FramedPayload::Get().payload(); }

size_t BinaryFrameHeader(uint64_t payload_size, unsigned char out[10]) {
  out[0] = 0x82;  // FIN, binary
  if (payload_size < 126) {
    out[1] = static_cast<unsigned char>(payload_size);
    return 2;
  }
  if (payload_size <= 0xffff) {
    out[1] = 126;
    out[2] = static_cast<unsigned char>(payload_size >> 8);
    out[3] = static_cast<unsigned char>(payload_size);
    return 4;
  }
  out[1] = 127;
  for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<unsigned char>(payload_size >> (56 - 8 * i));
  return 10;
}

const FramedPayload& FramedPayload::Get() {
  static const FramedPayload* const instance = Build();
  return *instance;
}

FramedPayload::Frame FramedPayload::FrameFor(size_t message_size) const {
  size_t k = 0;
  while ((kInitialMessageSize << k) < message_size && k + 1 < frames_.size()) ++k;
  DCHECK_EQ(kInitialMessageSize << k, message_size);
  return frames_[k];
}

FrameWrite ChooseFrameWrite(FrameWritePolicy policy, bool peer_is_local, bool have_memfd) {
  if (!have_memfd || policy == FrameWritePolicy::kNever) return FrameWrite::kSend;
  if (policy == FrameWritePolicy::kAlways) return FrameWrite::kSendfile;
  return peer_is_local ? FrameWrite::kSend : FrameWrite::kSendfile;
}

absl::string_view FramedPayload::payload() const {
  // The largest frame's payload is the whole buffer: every message is a prefix of it.
  const Frame& largest = frames_.back();
  return {data_ + largest.offset + (largest.length - kMaxScaledMessageSize), kMaxScaledMessageSize};
}

const FramedPayload* FramedPayload::Build() {
  const std::string payload = RandomPayload();
  std::string frames_bytes;
  std::vector<Frame> frames;
  for (size_t size = kInitialMessageSize; size <= kMaxScaledMessageSize; size *= 2) {
    unsigned char header[10];
    const size_t header_len = BinaryFrameHeader(size, header);
    frames.push_back({static_cast<off_t>(frames_bytes.size()), header_len + size});
    frames_bytes.append(reinterpret_cast<const char*>(header), header_len);
    frames_bytes.append(payload.data(), size);
  }
  // Sealed: no one (a bug, a library) can alter what every connection sends.
  const int fd = memfd_create("ndt7-download-frames", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  void* map = MAP_FAILED;
  if (fd >= 0 && WriteAll(fd, frames_bytes.data(), frames_bytes.size()) &&
      fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) == 0) {
    map = mmap(nullptr, frames_bytes.size(), PROT_READ, MAP_SHARED, fd, 0);
  }
  if (map != MAP_FAILED) {
    return new FramedPayload(static_cast<const char*>(map), fd, std::move(frames));
  }
  PLOG(WARNING) << "ndt7: no sealed memfd for the download frames; sendfile(2) is off";
  if (fd >= 0) close(fd);
  char* heap = new char[frames_bytes.size()];
  std::copy(frames_bytes.begin(), frames_bytes.end(), heap);
  return new FramedPayload(heap, -1, std::move(frames));
}

}  // namespace mlab::ndt7
