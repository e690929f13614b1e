#include "services/tcp-info/testing/diag_message_builder.h"

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <netinet/in.h>

#include <cstring>
#include <memory>

#include "glog/logging.h"

namespace mlab::tcpinfo::testing {
namespace {

void AppendHeader(std::string* out, uint32_t length, uint16_t type, uint16_t flags,
                  uint32_t sequence, uint32_t port_id) {
  nlmsghdr header{length, type, flags, sequence, port_id};
  out->append(reinterpret_cast<const char*>(&header), sizeof(header));
}

void Pad(std::string* out) {
  while (out->size() % 4 != 0) out->push_back('\0');
}

template <typename T>
void Put(std::string* out, size_t offset, T value) {
  std::memcpy(out->data() + offset, &value, sizeof(value));
}

}  // namespace

std::array<uint8_t, 16> Address(absl::string_view text) {
  std::array<uint8_t, 16> address{};
  std::string copy(text);
  if (inet_pton(AF_INET, copy.c_str(), address.data()) == 1) return address;
  CHECK_EQ(inet_pton(AF_INET6, copy.c_str(), address.data()), 1) << text;
  return address;
}

std::string TcpInfo(size_t length, char fill) { return std::string(length, fill); }

std::string DiagMessage(const DiagMessageSpec& spec) {
  std::string idm(kInetDiagMsgSize, '\0');
  Put<uint8_t>(&idm, kIdmFamilyOffset, spec.family);
  Put<uint8_t>(&idm, kIdmStateOffset, spec.state);
  Put<uint16_t>(&idm, kIdmSportOffset, htons(spec.src_port));
  Put<uint16_t>(&idm, kIdmDportOffset, htons(spec.dst_port));
  std::memcpy(idm.data() + kIdmSrcOffset, spec.src.data(), 16);
  std::memcpy(idm.data() + kIdmDstOffset, spec.dst.data(), 16);
  Put<uint32_t>(&idm, kIdmInterfaceOffset, spec.interface);
  Put<uint32_t>(&idm, kIdmCookieOffset, static_cast<uint32_t>(spec.cookie));
  Put<uint32_t>(&idm, kIdmCookieOffset + 4, static_cast<uint32_t>(spec.cookie >> 32));
  std::string body = idm;
  for (const auto& [type, payload] : spec.attributes) {
    nlattr attr{static_cast<uint16_t>(sizeof(nlattr) + payload.size()),
                static_cast<uint16_t>(type)};
    body.append(reinterpret_cast<const char*>(&attr), sizeof(attr));
    body.append(payload);
    Pad(&body);
  }
  std::string message;
  AppendHeader(&message, static_cast<uint32_t>(sizeof(nlmsghdr) + body.size()), kSockDiagByFamily,
               spec.flags, spec.sequence, spec.port_id);
  message.append(body);
  return message;
}

std::string DoneMessage(uint32_t sequence, uint32_t port_id, int error) {
  std::string message;
  AppendHeader(&message, sizeof(nlmsghdr) + sizeof(int), NLMSG_DONE, NLM_F_MULTI, sequence,
               port_id);
  message.append(reinterpret_cast<const char*>(&error), sizeof(error));
  return message;
}

std::string ErrorMessage(uint32_t sequence, uint32_t port_id, int error) {
  std::string message;
  nlmsgerr payload{};
  payload.error = error;
  payload.msg = nlmsghdr{72, 20, NLM_F_REQUEST | NLM_F_DUMP, sequence, port_id};
  AppendHeader(&message, sizeof(nlmsghdr) + sizeof(payload), NLMSG_ERROR, 0, sequence, port_id);
  message.append(reinterpret_cast<const char*>(&payload), sizeof(payload));
  return message;
}

SocketSnapshot Snapshot(const DiagMessageSpec& spec, absl::Time timestamp) {
  auto bytes = std::make_shared<const std::string>(DiagMessage(spec));
  absl::StatusOr<SocketSnapshot> snapshot = SocketSnapshot::Parse(bytes, 0);
  CHECK(snapshot.ok()) << snapshot.status();
  snapshot->set_timestamp(timestamp);
  return *std::move(snapshot);
}

SocketSnapshot SnapshotFromArchiveLine(const ArchiveLine& line) {
  std::string body = line.raw_idm;
  for (size_t type = 0; type < line.attributes.size(); ++type) {
    if (!line.attributes[type].has_value()) continue;
    const std::string& payload = *line.attributes[type];
    nlattr attr{static_cast<uint16_t>(sizeof(nlattr) + payload.size()),
                static_cast<uint16_t>(type)};
    body.append(reinterpret_cast<const char*>(&attr), sizeof(attr));
    body.append(payload);
    Pad(&body);
  }
  std::string message;
  AppendHeader(&message, static_cast<uint32_t>(sizeof(nlmsghdr) + body.size()), kSockDiagByFamily,
               NLM_F_MULTI, 0, 0);
  message.append(body);
  absl::StatusOr<SocketSnapshot> snapshot =
      SocketSnapshot::Parse(std::make_shared<const std::string>(std::move(message)), 0);
  CHECK(snapshot.ok()) << snapshot.status();
  snapshot->set_timestamp(line.timestamp);
  return *std::move(snapshot);
}

DiagMessageSpec EstablishedV4(uint64_t cookie) {
  DiagMessageSpec spec;
  spec.family = AF_INET;
  spec.src = Address("192.0.2.1");
  spec.dst = Address("192.0.2.2");
  spec.src_port = 443;
  spec.dst_port = static_cast<uint16_t>(40000 + cookie % 20000);
  spec.cookie = cookie;
  spec.attributes = {{1, std::string(16, '\1')},     {2, TcpInfo(232)},
                     {4, std::string("cubic\0", 6)}, {5, std::string(1, '\0')},
                     {7, std::string(36, '\2')},     {8, std::string(1, '\0')}};
  return spec;
}

}  // namespace mlab::tcpinfo::testing
