#!/usr/bin/env python3
"""Spool trees for bench/pusher/run.sh, and the check of what a pusher uploaded.

  tree.py make TREE N SEED       N files over 4 datatypes as a node's sidecars write them, all
                                 3 h old; TREE/manifest.json = {"<dt>/<rel>": sha256}
  tree.py move STAGE SPOOL       renames every file of STAGE/<dt>/... into SPOOL/<dt>/...
                                 (the directories already exist there), as writers publish
  tree.py verify TREE DEST [SPOOL]
                                 DEST = a local directory of .tgz, or http://HOST:PORT/BUCKET of
                                 fake-gcs-server; prints "archives=A files=F lost=L dup=D wrong=W",
                                 with "not_uploaded=N" after lost when N files of the tree are
                                 missing from DEST but still in SPOOL (a run that timed out)

Sizes (what M-Lab archives look like; compressed payloads are a gzip or zstd header and random
bytes):
  tcpinfo     40%  <uuid>.00000.jsonl.zst            2-12 KB incompressible
  annotation2 30%  <uuid>.json                       ~600 B JSON text
  ndt7        20%  ndt7-download-<time>.<uuid>.json.gz  1-4 KB incompressible
  pcap        10%  <uuid>.pcap.gz                    20-180 KB incompressible
"""

import hashlib
import io
import json
import os
import random
import sys
import tarfile
import time
import urllib.parse
import urllib.request

DATATYPES = ["tcpinfo", "annotation2", "ndt7", "pcap"]
DATES = ["2026/11/21", "2026/11/22"]
EXPERIMENT = "ndt"
# What the compressed payloads start with, as real .gz (Go's gzip header) and .zst files do.
GZIP = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
ZSTD = b"\x28\xb5\x2f\xfd"


def make(tree, n, seed):
    rng = random.Random(seed)
    old = time.time() - 3 * 3600
    manifest = {}
    for i in range(n):
        uuid = f"bench_1795331662_{i:016X}"
        r = i % 10
        if r < 4:
            dt, name = "tcpinfo", f"{uuid}.00000.jsonl.zst"
            data = ZSTD + rng.randbytes(rng.randint(2000, 12000))
        elif r < 7:
            dt, name = "annotation2", f"{uuid}.json"
            data = json.dumps({
                "UUID": uuid, "Timestamp": "2026-11-22T10:00:00Z",
                "Server": {"IP": "192.0.2.1", "Geo": {"ContinentCode": "NA", "CountryCode": "US",
                           "City": "New York", "Latitude": 40.7, "Longitude": -74.0},
                           "Network": {"CIDR": "192.0.2.0/24", "ASNumber": 64496, "ASName": "Bench"}},
                "Client": {"IP": f"198.51.{rng.randint(0, 255)}.{rng.randint(0, 255)}",
                           "Geo": {"ContinentCode": "EU", "CountryCode": rng.choice(["DE", "FR", "IT"]),
                                   "Latitude": rng.uniform(40, 55), "Longitude": rng.uniform(0, 15)},
                           "Network": {"CIDR": "198.51.0.0/16", "ASNumber": rng.randint(1, 65000),
                                       "ASName": "Client AS", "Systems": [{"ASNs": [rng.randint(1, 65000)]}]}},
            }).encode()
        elif r < 9:
            dt = "ndt7"
            name = f"ndt7-download-20261122T10{i % 60:02d}{i % 59:02d}.{i:09d}Z.{uuid}.json.gz"
            data = GZIP + rng.randbytes(rng.randint(1000, 4000))
        else:
            dt, name = "pcap", f"{uuid}.pcap.gz"
            data = GZIP + rng.randbytes(rng.randint(20000, 180000))
        rel = f"{DATES[(i // 10) % len(DATES)]}/{name}"
        path = os.path.join(tree, dt, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        os.utime(path, (old, old))
        manifest[f"{dt}/{rel}"] = hashlib.sha256(data).hexdigest()
    with open(os.path.join(tree, "manifest.json"), "w") as f:
        json.dump(manifest, f)
    print(f"{n} files, {sum(os.path.getsize(os.path.join(tree, k)) for k in manifest)} bytes")


def move(stage, spool):
    moved = 0
    for dt in DATATYPES:
        for dirpath, _, files in os.walk(os.path.join(stage, dt)):
            target = os.path.join(spool, os.path.relpath(dirpath, stage))
            os.makedirs(target, exist_ok=True)
            for f in files:
                os.rename(os.path.join(dirpath, f), os.path.join(target, f))
                moved += 1
    print(moved)


def fetch(url, timeout=60):
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        return resp.read()


def archives(dest):
    if dest.startswith("http://"):
        base, bucket = dest.rsplit("/", 1)
        names, token = [], None
        for _ in range(10000):  # pages of 1000: bounded
            q = "?maxResults=1000" + (f"&pageToken={urllib.parse.quote(token)}" if token else "")
            page = json.loads(fetch(f"{base}/storage/v1/b/{bucket}/o{q}"))
            names += [o["name"] for o in page.get("items", [])]
            token = page.get("nextPageToken")
            if not token:
                break
        for name in names:
            q = urllib.parse.quote(name, safe="")
            yield name, fetch(f"{base}/download/storage/v1/b/{bucket}/o/{q}?alt=media")
    else:
        for dirpath, _, files in os.walk(dest):
            for f in files:
                if f.endswith(".tgz") and ".pusher-tmp" not in dirpath:
                    path = os.path.join(dirpath, f)
                    with open(path, "rb") as fh:
                        yield os.path.relpath(path, dest), fh.read()


def verify(tree, dest, spool=None):
    with open(os.path.join(tree, "manifest.json")) as f:
        want = json.load(f)
    seen = {}
    n_archives = 0
    for name, blob in archives(dest):
        n_archives += 1
        dt = name.split("/")[1] if name.startswith(EXPERIMENT + "/") else name.split("/")[0]
        with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as tar:
            for m in tar.getmembers():
                if m.isfile():
                    data = tar.extractfile(m).read()
                    seen.setdefault(f"{dt}/{m.name}", []).append(hashlib.sha256(data).hexdigest())
    missing = [k for k in want if k not in seen]
    waiting = sum(1 for k in missing if spool and os.path.isfile(os.path.join(spool, k)))
    lost = len(missing) - waiting
    dup = sum(len(v) - 1 for v in seen.values())
    wrong = sum(1 for k, v in seen.items() if want.get(k) not in v)
    not_uploaded = f" not_uploaded={waiting}" if waiting else ""
    print(f"archives={n_archives} files={len(seen)} lost={lost}{not_uploaded} dup={dup} "
          f"wrong={wrong}")
    return 0 if lost == waiting == dup == wrong == 0 else 1


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "make" and len(sys.argv) == 5:
        make(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif cmd == "move" and len(sys.argv) == 4:
        move(sys.argv[2], sys.argv[3])
    elif cmd == "verify" and len(sys.argv) in (4, 5):
        sys.exit(verify(*sys.argv[2:]))
    else:
        sys.exit(__doc__)
