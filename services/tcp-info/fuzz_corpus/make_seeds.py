#!/usr/bin/env python3
"""Writes the hand-made seeds of tcp-info's fuzz targets (run from this directory).

netlink/: sock_diag dumps as the kernel sends them: nlmsghdr + inet_diag_msg + attributes, with
tcp_info of several lengths (older and newer kernels), meminfo, congestion name and BBR info.
sock_diag_reply/: the same messages as datagrams for sock_diag_reply_fuzzer (a flag byte, the
expected size, then 2-byte-length-prefixed datagrams), ending in NLMSG_DONE or NLMSG_ERROR.
legacy_event/: inputs of legacy_event_fuzzer (family, ports, addresses, interface, cookie,
time, UUID).
"""
import struct

SOCK_DIAG_BY_FAMILY, NLMSG_DONE, NLMSG_ERROR, NLM_F_MULTI = 20, 3, 2, 2
PORT, SEQ = 1234, 77


def attr(kind, payload):
    body = struct.pack("=HH", 4 + len(payload), kind) + payload
    return body + b"\0" * (-len(body) % 4)


def diag(family, cookie, attrs, src=b"\xc0\x00\x02\x01", dst=b"\xc6\x33\x64\x07"):
    idm = struct.pack("=BBBB", family, 1, 0, 0)
    idm += struct.pack(">HH", 443, 50000)
    idm += src.ljust(16, b"\0") + dst.ljust(16, b"\0")
    idm += struct.pack("=I", 2) + struct.pack("=Q", cookie)
    idm += struct.pack("=IIIII", 0, 0, 0, 0, 4242)
    assert len(idm) == 72
    payload = idm + b"".join(attr(k, v) for k, v in attrs)
    return struct.pack("=IHHII", 16 + len(payload), SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, SEQ, PORT) + payload


def done(error=0):
    return struct.pack("=IHHIIi", 20, NLMSG_DONE, NLM_F_MULTI, SEQ, PORT, error)


def err(error):
    return struct.pack("=IHHIIi", 36, NLMSG_ERROR, 0, SEQ, PORT, error) + b"\0" * 16


def tcp_info(n, fill):
    return bytes((i * 7 + fill) % 256 for i in range(n))


messages = {
    "v4_info232": diag(2, 1, [(2, tcp_info(232, 1)), (1, struct.pack("=IIII", 1, 2, 3, 4)),
                              (4, b"cubic\0")]),
    "v6_info104": diag(10, 2, [(2, tcp_info(104, 3)), (4, b"bbr\0"),
                               (16, struct.pack("=IIIIQ", 1, 2, 3, 4, 5))],
                       src=bytes(15) + b"\x01", dst=b"\x20\x01\x0d\xb8" + bytes(11) + b"\x07"),
    "v4_info_long": diag(2, 3, [(2, tcp_info(300, 5)), (8, b"\0" * 20), (38, b"x" * 12)]),
    "v4_no_attrs": diag(2, 4, []),
}
for name, message in messages.items():
    open(f"netlink/{name}", "wb").write(message)
open("netlink/two_sockets", "wb").write(messages["v4_info232"] + messages["v6_info104"])
open("netlink/same_socket_twice", "wb").write(messages["v4_info232"] + messages["v4_info232"])


def reply(datagrams, flag=0):
    out = bytes([flag]) + struct.pack(">H", sum(map(len, datagrams)))
    return out + b"".join(struct.pack(">H", len(d)) + d for d in datagrams)


m = messages
open("sock_diag_reply/done", "wb").write(reply([m["v4_info232"] + m["v6_info104"], done()]))
open("sock_diag_reply/prepare_done", "wb").write(reply([m["v4_info232"], m["v4_info_long"] + done()], 1))
open("sock_diag_reply/error", "wb").write(reply([m["v4_info232"], err(-12)]))
open("sock_diag_reply/done_with_error", "wb").write(reply([done(-16)]))

legacy = bytes([1]) + struct.pack(">HH", 443, 50000) + b"\xc0\x00\x02\x01" + bytes(12)
legacy += b"\xc6\x33\x64\x07" + bytes(12) + struct.pack(">IQQ", 2, 0x1A2B, 1700000000123456789)
open("legacy_event/v4", "wb").write(legacy + b"ndt-abcde_1700000000_0000000000001A2B")
open("legacy_event/escapes", "wb").write(legacy + "x\"\\\n\t\u00e9\x01</script>".encode())
