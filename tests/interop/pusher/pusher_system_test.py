#!/usr/bin/env python3
"""System test of services/pusher against real storage emulators.

Writes --files files over four datatypes into a spool the way the suite's writers do (staged,
then renamed into place; some written in place; some already old before pusher starts), runs
the pusher binary against a local directory (file://), fake-gcs-server (gs://) or s3rver
(s3://), and then checks, with Python's own tarfile reader:

  * every input file is in exactly one uploaded archive, byte-identical (lost = duplicates = 0);
  * every member carries the PAX records pusher writes (MLAB.datatype, -metadata), mode 0666;
  * every archive path passes M-Lab ETL's archive-path pattern (etl-archive-path-check);
  * the spool is empty afterwards.

--kills N  kill -9s pusher at N random moments during the run, restarting it each time.
--outage S stops the emulator for S seconds mid-run: no file may be deleted while it is down,
           pusher must retry, and everything must arrive after it returns.

Peers are found under $MLAB_PEERS (default /usr/local/lib/mlab-peers); run tools/setup to
install them. Traffic goes only to 127.0.0.1.
"""

import argparse
import hashlib
import io
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

PEERS = os.environ.get("MLAB_PEERS", "/usr/local/lib/mlab-peers")
DATATYPES = ["ndt7", "tcpinfo", "pcap", "scamper1"]
DATES = ["2024/05/01", "2024/05/02"]
BUCKET = "pusher-mlab-test"
EXPERIMENT = "ndt"
HOSTNAME = "mlab1.lga03.measurement-lab.org"
METADATA = {"MLAB.server.name": HOSTNAME, "MLAB.experiment.name": EXPERIMENT}


def log(*args):
    print(time.strftime("%H:%M:%S"), *args, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method, url, data=None, headers=None, timeout=30):
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def wait_until(predicate, timeout, what, step=0.1):
    """Polls a readiness condition (bounded): the condition is the synchronisation."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def require(path, what):
    if not os.path.exists(path):
        sys.exit(f"FAIL: {what} not found at {path}; run tools/setup (tools/setup.d/70-pusher.sh)")
    return path


class Emulator:
    """fake-gcs-server or s3rver on a free loopback port, restartable with its data.

    The emulators cannot report a port they chose, so the port is picked here and may be taken
    by a parallel test before the emulator binds it: the first start retries with a new port,
    and every start requires its own process to stay up, so a probe can never be answered by
    another test's emulator on a reused port.
    """

    def __init__(self, kind, workdir):
        self.kind, self.port, self.proc = kind, None, None
        self.data = os.path.join(workdir, f"{kind}-data")
        self.logfile = open(os.path.join(workdir, f"{kind}.log"), "ab")

    def command(self):
        if self.kind == "gcs":
            return [require(f"{PEERS}/bin/fake-gcs-server", "fake-gcs-server"),
                    "-scheme", "http", "-host", "127.0.0.1", "-port", str(self.port),
                    "-backend", "filesystem", "-filesystem-root", self.data,
                    "-log-level", "error"]
        script = require(f"{PEERS}/node/node_modules/s3rver/bin/s3rver.js", "s3rver")
        return ["node", script, "--directory", self.data, "--address", "127.0.0.1",
                "--port", str(self.port), "--configure-bucket", BUCKET, "--silent"]

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        os.makedirs(self.data, exist_ok=True)
        first = self.port is None
        for _ in range(3 if first else 1):
            if first:
                self.port = free_port()
            if self.launch():
                break
        else:
            raise AssertionError(f"{self.kind} emulator exited at startup on port {self.port}")
        if self.kind == "gcs":
            status, _ = http("POST", self.url + "/storage/v1/b",
                             json.dumps({"name": BUCKET}).encode(),
                             {"Content-Type": "application/json"})
            assert status in (200, 409), status

    def launch(self):
        """Starts the emulator; True once it answers, False if it exited (port taken)."""
        self.proc = subprocess.Popen(self.command(), stdout=self.logfile, stderr=self.logfile)
        probe = "/storage/v1/b" if self.kind == "gcs" else "/"

        def up():
            if self.proc.poll() is not None:
                return True  # ends the wait; reported below
            try:
                return http("GET", self.url + probe, timeout=2)[0] < 500
            except OSError:
                return False
        wait_until(up, 30, f"{self.kind} emulator")
        if self.proc.poll() is not None:
            self.proc = None
            return False
        return True

    def stop(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def objects(self):
        """{name: bytes} of every object in the bucket, through the emulator's API."""
        names = []
        if self.kind == "gcs":
            token = None
            while True:
                q = "?maxResults=1000" + (f"&pageToken={urllib.parse.quote(token)}" if token else "")
                status, body = http("GET", f"{self.url}/storage/v1/b/{BUCKET}/o{q}")
                assert status == 200, (status, body[:200])
                page = json.loads(body)
                names += [o["name"] for o in page.get("items", [])]
                token = page.get("nextPageToken")
                if not token:
                    break
        else:
            marker = ""
            ns = "{http://doc.s3.amazonaws.com/2006-03-01/}"
            while True:
                q = f"?marker={urllib.parse.quote(marker)}" if marker else ""
                status, body = http("GET", f"{self.url}/{BUCKET}{q}")
                assert status == 200, (status, body[:200])
                root = ET.fromstring(body)
                keys = [c.find(ns + "Key").text for c in root.findall(ns + "Contents")]
                names += keys
                if root.find(ns + "IsTruncated").text != "true" or not keys:
                    break
                marker = keys[-1]
        out = {}
        for name in names:
            quoted = urllib.parse.quote(name, safe="")
            if self.kind == "gcs":
                url = f"{self.url}/download/storage/v1/b/{BUCKET}/o/{quoted}?alt=media"
            else:
                url = f"{self.url}/{BUCKET}/{urllib.parse.quote(name)}"
            status, body = http("GET", url, timeout=60)
            assert status == 200, (name, status)
            out[name] = body
        return out


class Spool:
    """Writes files as the suite's writers do and remembers each one's SHA-256."""

    def __init__(self, root, seed):
        self.root, self.rng = root, random.Random(seed)
        self.written = {}  # (datatype, relative path) -> sha256
        self.lock = threading.Lock()
        for dt in DATATYPES:
            os.makedirs(os.path.join(root, dt), exist_ok=True)
            os.makedirs(os.path.join(root, f".tmp-{dt}"), exist_ok=True)

    def write(self, index, mode):
        dt = DATATYPES[index % len(DATATYPES)]
        rel = f"{DATES[(index // 4) % len(DATES)]}/file-{index:06d}.{dt}.data"
        size = self.rng.choice([0, 1, 100, 700, 1500, 4000, 9000])
        data = self.rng.randbytes(size)
        final = os.path.join(self.root, dt, rel)
        os.makedirs(os.path.dirname(final), exist_ok=True)
        if mode == "inplace":
            with open(final, "wb") as f:
                f.write(data)
        else:
            staged = os.path.join(self.root, f".tmp-{dt}", f"{index}.part")
            with open(staged, "wb") as f:
                f.write(data)
            if mode == "old":
                old = time.time() - 3 * 3600
                os.utime(staged, (old, old))
            os.rename(staged, final)
        with self.lock:
            self.written[(dt, rel)] = hashlib.sha256(data).hexdigest()

    def remaining(self):
        left = []
        for dt in DATATYPES:
            for dirpath, _, files in os.walk(os.path.join(self.root, dt)):
                left += [os.path.join(dirpath, f) for f in files]
        return left


class Pusher:
    def __init__(self, binary, args, workdir):
        self.binary, self.args, self.proc, self.starts = binary, args, None, 0
        self.logfile = open(os.path.join(workdir, "pusher.log"), "ab")

    def start(self):
        self.proc = subprocess.Popen([self.binary] + self.args, stdout=self.logfile,
                                     stderr=self.logfile, env=self.env)
        self.starts += 1

    def kill9(self):
        self.proc.kill()
        self.proc.wait()

    def terminate(self, timeout):
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=timeout)


def read_archives(objects):
    """Returns ({(datatype, rel): [sha256, ...]}, problems)."""
    seen, problems = {}, []
    for name, blob in objects.items():
        parts = name.split("/")
        if len(parts) < 3 or parts[0] != EXPERIMENT or parts[1] not in DATATYPES:
            problems.append(f"unexpected object {name}")
            continue
        dt = parts[1]
        if not blob.startswith(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"):
            problems.append(f"{name}: gzip header is not Go's")
        with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as tar:
            for m in tar.getmembers():
                if not m.isfile():
                    problems.append(f"{name}: non-file member {m.name}")
                    continue
                want = dict(METADATA, **{"MLAB.datatype": dt})
                if m.pax_headers != want:
                    problems.append(f"{name}: {m.name} PAX records {m.pax_headers}")
                if m.mode != 0o666 or m.uid != 0 or m.gid != 0:
                    problems.append(f"{name}: {m.name} mode {oct(m.mode)} uid {m.uid}")
                if "/".join(parts[2:5]) != "/".join(m.name.split("/")[:3]):
                    problems.append(f"{name}: member {m.name} outside the archive's date")
                data = tar.extractfile(m).read()
                seen.setdefault((dt, m.name), []).append(hashlib.sha256(data).hexdigest())
    return seen, problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pusher", required=True)
    ap.add_argument("--backend", choices=["local", "gcs", "s3"], required=True)
    ap.add_argument("--files", type=int, default=10000)
    ap.add_argument("--kills", type=int, default=0)
    ap.add_argument("--outage", type=float, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=240, help="bound for the whole run")
    opts = ap.parse_args()
    start_time = time.monotonic()
    checker = require(f"{PEERS}/bin/etl-archive-path-check", "etl-archive-path-check")
    workdir = tempfile.mkdtemp(prefix="pusher-system-", dir=os.environ.get("TEST_TMPDIR"))
    spool_dir = os.path.join(workdir, "spool", EXPERIMENT)
    spool = Spool(spool_dir, opts.seed)
    rng = random.Random(opts.seed + 1)

    emulator = None
    env = dict(os.environ)
    args = [f"-directory={spool_dir}", f"-experiment={EXPERIMENT}",
            f"-mlab_node_name={HOSTNAME}", "-archive_size_threshold=300KB",
            "-archive_wait_time=1s", "-max_file_age=8s", "-cleanup_interval=2s",
            "-cleanup_interval_max=3s", "-upload_backoff_max=1s", "-sigterm_wait_time=20s",
            "-prometheusx.listen-address=127.0.0.1:0"]
    args += [f"-datatype={dt}" for dt in DATATYPES]
    args += [f"-metadata={k}={v}" for k, v in METADATA.items()]
    if opts.backend == "local":
        out_dir = os.path.join(workdir, "uploads")
        args.append(f"-bucket=file://{out_dir}")
    else:
        emulator = Emulator(opts.backend, workdir)
        emulator.start()
        if opts.backend == "gcs":
            args += [f"-bucket=gs://{BUCKET}", f"-gcs_endpoint={emulator.url}",
                     "-gcs_chunk_size=262144"]
        else:
            args += [f"-bucket=s3://{BUCKET}", f"-s3_endpoint={emulator.url}", "-s3_path_style"]
            env.update(AWS_ACCESS_KEY_ID="S3RVER", AWS_SECRET_ACCESS_KEY="S3RVER")
    pusher = Pusher(opts.pusher, args, workdir)
    pusher.env = env

    try:
        # 5% of the files are old and already there: only the sweep can find them.
        n_old = opts.files // 20
        for i in range(n_old):
            spool.write(i, "old")
        pusher.start()
        done_writing = threading.Event()

        def writer():
            for i in range(n_old, opts.files):
                spool.write(i, "inplace" if i % 5 == 0 else "rename")
                if i % 50 == 0:
                    time.sleep(0.02)  # Spread the load (about 2,500 files/s).
            done_writing.set()
        thread = threading.Thread(target=writer)
        thread.start()

        kills = 0
        if opts.kills:
            # Kill at random moments spread over the writing and the catch-up after it.
            for _ in range(opts.kills):
                time.sleep(rng.uniform(0.05, 0.5))
                pusher.kill9()
                kills += 1
                pusher.start()
            log(f"{kills} kill -9s done")

        outage_checked = 0
        if opts.outage:
            wait_until(lambda: len(spool.written) > opts.files // 3, 60, "a third of the files")
            emulator.stop()
            log(f"emulator stopped for {opts.outage}s")
            time.sleep(1.0)  # Let requests in flight when it died finish failing.
            before = set(spool.remaining())
            end = time.monotonic() + opts.outage - 1.0
            while time.monotonic() < end:
                now = set(spool.remaining())
                gone = before - now
                assert not gone, f"{len(gone)} files deleted while the backend was down: " \
                    f"{sorted(gone)[:3]}"
                before |= now
                outage_checked += 1
                time.sleep(0.5)
            emulator.start()
            log(f"emulator back; {len(before)} files were held, none deleted "
                f"({outage_checked} checks)")

        thread.join()
        assert done_writing.is_set()
        wait_until(lambda: not spool.remaining(), max(30, opts.timeout - (time.monotonic() - start_time)),
                   "the spool to empty", step=0.2)
        metrics = ""
        rc = pusher.terminate(timeout=30)
        assert rc == 0, f"pusher exited {rc}"

        objects = emulator.objects() if emulator else {
            os.path.relpath(os.path.join(d, f), out_dir): open(os.path.join(d, f), "rb").read()
            for d, _, fs in os.walk(out_dir) if ".pusher-tmp" not in d for f in fs}
        seen, problems = read_archives(objects)
        lost = [k for k in spool.written if k not in seen]
        wrong = [k for k, v in seen.items() if k in spool.written and spool.written[k] not in v]
        extra = [k for k in seen if k not in spool.written]
        duplicates = sum(len(v) - 1 for v in seen.values())
        paths = "\n".join(f"gs://{BUCKET}/{name}" for name in objects)
        etl = subprocess.run([checker], input=paths.encode(), capture_output=True)
        log(f"backend={opts.backend} files={len(spool.written)} archives={len(objects)} "
            f"lost={len(lost)} wrong_bytes={len(wrong)} unexpected={len(extra)} "
            f"duplicates={duplicates} kills={kills} pusher_starts={pusher.starts} "
            f"outage={opts.outage}s etl: {etl.stdout.decode().strip().splitlines()[-1]}")
        with open(os.path.join(workdir, "pusher.log"), "rb") as f:
            plog = f.read()
        log(f"journal: {plog.count(b'resuming ')} resumptions, "
            f"{plog.count(b'result=already_stored')} archives found already stored, "
            f"{plog.count(b'reason=recovered')} re-uploaded under their journaled name")
        failures = []
        if len(spool.written) != opts.files:
            failures.append(f"wrote {len(spool.written)} of {opts.files}")
        if lost:
            failures.append(f"lost {len(lost)} files, e.g. {lost[:3]}")
        if wrong:
            failures.append(f"{len(wrong)} files with other bytes, e.g. {wrong[:3]}")
        if extra:
            failures.append(f"{len(extra)} unexpected members, e.g. {extra[:3]}")
        if duplicates:
            failures.append(f"{duplicates} duplicate copies")
        if problems:
            failures.append(f"{len(problems)} format problems, e.g. {problems[:3]}")
        if etl.returncode != 0:
            failures.append("ETL path check: " + etl.stdout.decode()[-500:])
        if spool.remaining():
            failures.append(f"spool not empty: {spool.remaining()[:3]}")
        if opts.outage:
            retries = plog.count(b"failed: ")
            log(f"upload retries logged: {retries}")
            if retries == 0:
                failures.append("no upload retry during the outage")
        if failures:
            for f in failures:
                log("FAIL:", f)
            print(f"pusher system test: 0 passed, 1 failed (logs in {workdir})")
            return 1
        print(f"pusher system test ({opts.backend}): 1 passed, 0 failed")
        shutil.rmtree(workdir, ignore_errors=True)
        return 0
    finally:
        if pusher.proc is not None and pusher.proc.poll() is None:
            pusher.kill9()
        if emulator:
            emulator.stop()


if __name__ == "__main__":
    sys.exit(main())
