#!/usr/bin/env python3
"""Writes flow_event_fuzzer's hand-made seeds (run from this directory): streams of FlowEvent
messages in protobuf wire format, each preceded by its length byte (0xff = reconnect)."""
import struct


def varint(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out


def field(num, kind, value):
    if kind == 0:
        return varint(num << 3) + varint(value)
    return varint(num << 3 | 2) + varint(len(value)) + value


def socket_id(src, sport, dst, dport, cookie):
    return (field(1, 0, sport) + field(2, 0, dport) + field(3, 2, src) + field(4, 2, dst)
            + field(5, 0, 2) + field(6, 0, cookie))


def event(kind, uuid=b"", sid=None, replayed=False, seconds=1700000000, nanos=5):
    out = field(1, 0, kind) + field(2, 2, field(1, 0, seconds) + field(2, 0, nanos))
    if uuid:
        out += field(3, 2, uuid)
    if sid is not None:
        out += field(4, 2, sid)
    if replayed:
        out += field(5, 0, 1)
    return out


def stream(*events):
    return b"".join(b"\xff" if e is None else bytes([len(e)]) + e for e in events)


sid = socket_id(b"192.0.2.1", 443, b"198.51.100.7", 50000, 0x1A2B)
a, b = b"host_1700000000_0000000000001A2B", b"host_1700000000_0000000000001A2C"
seeds = {
    "open_close": stream(event(1, a, sid), event(2, a, sid)),
    "replay_then_live": stream(event(1, a, sid, True), event(3), event(1, b, sid), event(2, a, sid)),
    "reconnect_drops_flow": stream(event(1, a, sid, True), event(1, b, sid, True), event(3), None,
                                   event(1, a, sid, True), event(3)),
    "malformed": stream(event(1), event(2), event(7, a, sid), event(3, a)),
}
for name, data in seeds.items():
    open(f"flow_event/{name}", "wb").write(data)
