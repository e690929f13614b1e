#!/usr/bin/env python3
"""Writes packet_parser_fuzzer's hand-made seeds (run from this directory): a link-type choice
byte (index into the fuzzer's kLinkTypes; +0x80 = longer on the wire) and one captured packet."""
import struct

TCP = struct.pack(">HHIIBBHHH", 443, 50000, 1, 2, 0x80, 0x18, 512, 0, 0) + b"\x01\x01\x08\x0a" + bytes(8)


def ipv4(payload):
    return struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0x4000, 64, 6, 0,
                       bytes([192, 0, 2, 1]), bytes([198, 51, 100, 7])) + payload


def ipv6(payload, ext=False):
    nh = 0 if ext else 6
    body = (bytes([6, 0]) + bytes(6) + payload) if ext else payload
    return struct.pack(">IHBB16s16s", 0x60000000, len(body), nh, 64,
                       b"\x20\x01\x0d\xb8" + bytes(11) + b"\x01", b"\x20\x01\x0d\xb8" + bytes(11) + b"\x07") + body


def eth(ethertype, payload, vlan=False):
    hdr = bytes(12) + (struct.pack(">HH", 0x8100, 5) if vlan else b"") + struct.pack(">H", ethertype)
    return hdr + payload


seeds = {
    "eth_v4": bytes([0]) + eth(0x0800, ipv4(TCP + b"payload")),
    "eth_vlan_v6_ext": bytes([0x80]) + eth(0x86DD, ipv6(TCP + b"data", ext=True), vlan=True),
    "sll_v4": bytes([1]) + struct.pack(">HHH8sH", 0, 1, 6, bytes(8), 0x0800) + ipv4(TCP),
    "sll2_v6": bytes([2]) + struct.pack(">HHIHBB8s", 0x86DD, 0, 2, 1, 0, 6, bytes(8)) + ipv6(TCP),
    "null_v4": bytes([3]) + struct.pack("<I", 2) + ipv4(TCP),
    "raw_v6": bytes([5]) + ipv6(TCP + b"x" * 20),
    "ipv4_truncated": bytes([6]) + ipv4(TCP)[:30],
}
for name, data in seeds.items():
    open(f"packet/{name}", "wb").write(data)
