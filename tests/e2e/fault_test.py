#!/usr/bin/env python3
"""Faults on the running node: the DaemonSet's pod run natively as in e2e_test.py, then broken.

With the six services running between namespaces (e2e_test.py's harness), the test applies, in
order, each fault below while ndt7 tests run, and checks after each that no service crashed
(only the one the test kills exits), and at the end that nothing already closed was lost:

  churn      clients open and drop connections at random: half-open TCP, partial and garbage
             WebSocket handshakes, resets mid-test, aborted ndt7 tests (bounded: 400
             connections in at most 20 s) -- then a full test still works;
  subscriber packet-headers is killed (SIGKILL) mid-test and restarted, as the kubelet does:
             tcp-info keeps serving the others, the restarted one reconnects and records the
             next test;
  restart    uuid-annotator is killed and restarted while a flow it annotated (and pusher
             uploaded) is still open: tcp-info replays that flow's Open, and no second
             annotation2 file for its UUID may appear;
  garbage    uuid-annotator's siteinfo and MaxMind files are replaced by garbage and it gets
             SIGHUP: the failed reload is counted, the last good data stays in use and the next
             test is annotated as before;
  disk full  the spool (a 96 MiB tmpfs here) is filled up while a test runs, with pusher paused
             (an upload outage): services report and go on; once space is back, that test's
             result and trace (held in memory meanwhile) are written, and the next test is
             recorded and uploaded in full;
  SIGTERM    every service gets SIGTERM while a test runs and connections churn: each exits 0,
             pusher uploads everything that was closed, and the spool is left empty.

Every test UUID completed outside the disk-full window must have its ndt7, tcpinfo, pcap,
annotation2 and scamper1 files in pusher's uploads at the end; the one inside it, its ndt7,
annotation2 and scamper1. Needs root, like e2e_test.py.
"""

import argparse
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
import time

import e2e_test as e2e
from e2e_test import (CLIENT_V4, NODE_V4, Failures, Network, NativePod, log, run, wait_until)

# Connection churn from the client namespace: bounded in count and time.
CHURN = r"""
import random, socket, ssl, struct, sys, time
host, count, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
random.seed(int(sys.argv[4]))
deadline = time.monotonic() + seconds
handshake = ("GET /ndt/v7/download HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
             "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
             "Sec-WebSocket-Protocol: net.measurementlab.ndt.v7\r\n\r\n")
held, done = [], 0
for i in range(count):
    if time.monotonic() > deadline:
        break
    kind = random.choice(["open", "partial", "garbage", "reset", "tls"])
    try:
        s = socket.create_connection((host, 443 if kind == "tls" else 80), timeout=2)
        if kind == "partial":
            s.sendall(handshake[: random.randint(1, len(handshake) - 1)].encode())
        elif kind == "garbage":
            s.sendall(bytes(random.getrandbits(8) for _ in range(random.randint(1, 4096))))
        elif kind == "reset":
            s.sendall(handshake.encode())
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif kind == "tls":
            s.sendall(b"\x16\x03\x01" + bytes(random.getrandbits(8) for _ in range(200)))
        if random.random() < 0.3:
            held.append(s)  # left half-open until the end
        else:
            s.close()
        done += 1
    except OSError:
        pass
    time.sleep(random.random() * 0.02)
for s in held:
    s.close()
print(f"churn: {done} connections")
"""


def metrics_text(network, port):
    """A service's /metrics page as the client namespace sees it ("" when it does not answer)."""
    return run("ip", "netns", "exec", network.client, "curl", "-sf", "--max-time", "3",
               f"http://{NODE_V4}:{port}/metrics", check=False, capture=True).stdout or ""


def metric(network, port, name):
    """Sum of a metric's samples (all labels) from a service's /metrics, or None."""
    text = metrics_text(network, port)
    values = [float(m) for m in re.findall(rf"^{re.escape(name)}(?:{{[^}}]*}})? (\S+)$", text,
                                           re.M)]
    return sum(values) if values else None


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runfiles", default=os.getcwd())
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    repo = args.runfiles
    args.images = os.path.join(repo, "deploy/images")
    sys.path.insert(0, os.path.join(repo, "deploy/testing"))
    import pod as pod_tool

    work = tempfile.mkdtemp(prefix="mlab-fault.", dir="/var/tmp")
    os.chmod(work, 0o755)
    network = Network("f" + str(os.getpid() % 10000))
    failures = Failures()
    pod = None
    spool_mount = None
    helpers = []  # the test's own processes in the namespaces, killed at the end
    try:
        network.create()
        for part in ("k8s", "testing/pod"):
            shutil.copytree(os.path.join(repo, "deploy", part), os.path.join(work, "deploy", part))
        manifest = os.path.join(work, "pod.yaml")
        with open(manifest, "w") as f:
            f.write(run("kubectl", "kustomize", os.path.join(work, "deploy/testing/pod"),
                        capture=True).stdout)
        host_root, secrets = e2e.prepare_inputs(work, repo)
        # The spool on a small file system of its own, so the test can fill it.
        spool_mount = os.path.join(host_root, "cache", "data", "ndt")
        os.makedirs(spool_mount)
        run("mount", "-t", "tmpfs", "-o", "size=96m,mode=0755", "tmpfs", spool_mount)
        pod = NativePod(manifest, args, work, network, pod_tool)
        pod.volumes(host_root, secrets)
        pod.up()
        spool, uploads = pod.volume_paths["ndt-data"], pod.volume_paths["uploads"]
        data = os.path.join(host_root, "cache", "annotator-data")

        def ready():
            if pod.dead():
                raise AssertionError(f"containers exited: {pod.dead()}")
            return all(metric(network, p, "process_start_time_seconds") is not None
                       for p in range(9990, 9996))

        wait_until(ready, 60, "every service's /metrics")
        expected_dead = set()

        def alive(what):
            dead = {n: c for n, c in pod.dead().items() if n not in expected_dead}
            failures.check(not dead, f"{what}: no service exited ({dead or 'all running'})")

        recorded = {}  # UUID -> (label, the datatypes that must reach the uploads)
        everything = ("ndt7", "tcpinfo", "pcap", "annotation2", "scamper1")

        # early_exit for the checks that need a complete test but not a long one.
        def ndt7(direction="download", family="v4", label="", required=everything,
                 early_exit=False):
            try:
                uuid = e2e.client_test(network, work, repo, family, direction, early_exit)
            except AssertionError as e:
                failures.check(False, f"{label}: ndt7 {direction} completes ({e})")
                return None
            recorded[uuid] = (label, required)
            log(f"{label}: ndt7 {direction} {uuid}")
            return uuid

        def churn(seconds, seed):
            return subprocess.Popen(
                ["ip", "netns", "exec", network.client, "python3", "-c", CHURN, NODE_V4, "400",
                 str(seconds), str(seed)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                text=True)

        # ---- churn: random connects and drops around an aborted and a full test --------------
        churner = churn(20, 1)
        aborted = subprocess.run(
            ["ip", "netns", "exec", network.client, "timeout", "-s", "KILL", "3",
             os.path.join(e2e.PEERS, "bin", "ndt7-client"), "-format", "json", "-scheme", "ws",
             "-no-verify", "-server", NODE_V4, "-upload=false"],
            capture_output=True, text=True)
        log(f"churn: aborted ndt7 client exited {aborted.returncode}")
        out, _ = churner.communicate(timeout=60)
        log(out.strip())
        alive("churn")
        ndt7("download", "v4", "after churn", early_exit=True)

        # ---- subscriber killed mid-stream and restarted ---------------------------------------
        # Killed while a test runs; restarted as the kubelet would restart the container.
        victim = "packet-headers"
        # Its capture of that test dies with it; everything else of the test must arrive.
        thread = threading.Thread(target=ndt7, args=("upload", "v4", "killed subscriber",
                                                     ("ndt7", "tcpinfo", "annotation2",
                                                      "scamper1")))
        thread.start()
        time.sleep(3)  # into the 10 s test (a moment in the test, not synchronisation)
        pod.processes[victim].send_signal(signal.SIGKILL)
        pod.processes[victim].wait()
        expected_dead.add(victim)
        thread.join()
        alive("subscriber killed")
        container = next(c for c in pod.spec["containers"] if c["name"] == victim)
        pod.start(container, wait=False)
        expected_dead.discard(victim)
        wait_until(lambda: metric(network, 9993, "process_start_time_seconds") is not None, 30,
                   "packet-headers back")
        after_restart = ndt7("download", "v6", "after subscriber restart", early_exit=True)
        alive("subscriber restarted")

        # ---- uuid-annotator restarted while a flow it annotated stays open --------------------
        # A long-lived flow (held open by a listener of the test's own); once pusher has uploaded
        # its annotation, uuid-annotator is killed and restarted and gets tcp-info's replay of the
        # still-open flow: it must not write a second annotation2 file for that UUID.
        holder = subprocess.Popen(
            ["ip", "netns", "exec", network.node, "python3", "-c",
             "import socket,sys\ns=socket.create_server(('0.0.0.0',5555))\n"
             "print('listening',flush=True)\nc,_=s.accept()\nprint('accepted',flush=True)\n"
             "c.recv(1)"],
            stdout=subprocess.PIPE, text=True)

        def holder_says(word):  # the holder's own report, awaited (bounded)
            ready, _, _ = select.select([holder.stdout], [], [], 20)
            if not ready or holder.stdout.readline().strip() != word:
                raise AssertionError(f"the flow holder did not report '{word}'")

        helpers.append(holder)
        holder_says("listening")
        client = subprocess.Popen(
            ["ip", "netns", "exec", network.client, "python3", "-c",
             f"import socket,sys\nc=socket.create_connection(('{NODE_V4}',5555),timeout=5)\n"
             "sys.stdin.read()"], stdin=subprocess.PIPE, text=True)
        helpers.append(client)
        holder_says("accepted")  # the flow is open
        annotations_before = set(e2e.uploaded_members(uploads)["annotation2"])
        wait_until(lambda: len(set(e2e.uploaded_members(uploads)["annotation2"])
                               - annotations_before) >= 1, 60,
                   "the held flow's annotation uploaded")
        pod.processes["uuid-annotator"].send_signal(signal.SIGKILL)
        pod.processes["uuid-annotator"].wait()
        container = next(c for c in pod.spec["containers"] if c["name"] == "uuid-annotator")
        pod.start(container, wait=False)
        wait_until(lambda: metric(network, 9994, "uuid_annotator_already_annotated_total"), 30,
                   "the restarted uuid-annotator to skip the replayed flow")
        client.stdin.close()
        client.wait(timeout=10)
        holder.wait(timeout=10)
        alive("uuid-annotator restarted")

        # ---- datasets replaced by garbage, SIGHUP ---------------------------------------------
        for name in ("annotations.json", "fake.tar.gz"):
            with open(os.path.join(data, name), "wb") as f:
                f.write(os.urandom(4096))
        pod.processes["uuid-annotator"].send_signal(signal.SIGHUP)

        def reload_counted():
            text = metrics_text(network, 9994)
            return re.search(r'uuid_annotator_dataset_reloads_total\{[^}]*"error"[^}]*\} [1-9]',
                             text) is not None
        try:
            wait_until(reload_counted, 20, "the failed reloads counted")
            failures.check(True, "garbage datasets: failed reloads counted")
        except AssertionError as e:
            failures.check(False, f"garbage datasets: failed reloads counted ({e})")
        garbage_uuid = ndt7("download", "v4", "after garbage datasets", early_exit=True)
        alive("garbage datasets")

        # ---- disk full --------------------------------------------------------------------
        filler = os.path.join(spool, "filler")
        thread = threading.Thread(target=ndt7, args=("download", "v4", "disk full"))
        thread.start()
        time.sleep(2)
        # Pusher paused, as in an upload outage, and whatever the services free (the partial
        # files they drop) taken back at once: the disk stays full until the test is over, so
        # its result and trace are refused when they are written.
        pod.processes["pusher"].send_signal(signal.SIGSTOP)
        stop_filling = threading.Event()

        def keep_full():
            deadline = time.monotonic() + 60
            with open(filler, "ab", buffering=0) as f:
                while not stop_filling.is_set() and time.monotonic() < deadline:
                    try:
                        f.write(b"\0" * 65536)
                    except OSError:
                        stop_filling.wait(0.001)

        filling = threading.Thread(target=keep_full)
        filling.start()
        thread.join()
        time.sleep(3)  # the result and the trace are written just after the client's end
        stop_filling.set()
        filling.join()
        full_uuids = [u for u, (label, _) in recorded.items() if label == "disk full"]
        alive("disk full")
        os.remove(filler)
        pod.processes["pusher"].send_signal(signal.SIGCONT)
        for uuid in full_uuids:
            # Its tcpinfo and pcap may be partly lost (the disk was full while they were
            # written); its annotation came before the fill, and its result and trace, refused
            # at the end, are held in memory and written once there is room.
            recorded[uuid] = ("disk full", ("ndt7", "annotation2", "scamper1"))
        ndt7("upload", "v6", "after disk full")
        alive("space back")

        # ---- SIGTERM under load -----------------------------------------------------------
        churner = churn(15, 2)
        thread = threading.Thread(target=ndt7, args=("download", "v4", "in flight at SIGTERM"))
        thread.start()
        time.sleep(4)
        codes = pod.stop(90)
        thread.join()
        churner.communicate(timeout=60)
        in_flight = [u for u, (label, _) in recorded.items() if label == "in flight at SIGTERM"]
        for uuid in in_flight:
            recorded.pop(uuid)  # ended by the shutdown; its files may be partial
        failures.check(all(c == 0 for c in codes.values()),
                       f"SIGTERM under load: every service exits 0 ({codes})")
        left = e2e.spool_files(spool)
        failures.check(not left, f"SIGTERM under load: the spool is empty ({left[:5]})")

        # ---- nothing closed was lost --------------------------------------------------------
        members = e2e.uploaded_members(uploads)
        for uuid, (label, required) in recorded.items():
            missing = [d for d in e2e.missing_for(uuid, members) if d in required]
            failures.check(not missing, f"{label} {uuid}: every datatype uploaded "
                           f"(missing: {missing or 'none'})")
        names = []
        for root, _, files in os.walk(os.path.join(uploads, "ndt", "annotation2")):
            for name in files:
                with tarfile.open(os.path.join(root, name)) as tar:
                    names += [os.path.basename(m.name) for m in tar.getmembers()]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        failures.check(not duplicates, f"no UUID annotated twice across restarts ({duplicates})")
        failures.check(after_restart is not None
                       and any(after_restart in n for n in members.get("pcap", {})),
                       "the restarted packet-headers recorded the next test")
        if garbage_uuid:
            joined = run(os.path.join(repo, "tools/uuid-join/uuid-join"), uploads,
                         capture=True, check=False).stdout
            line = next((l for l in joined.splitlines() if garbage_uuid in l), "")
            failures.check('"CountryCode":"SE"' in line and '"Site":"lga03"' in line,
                           "after the garbage reload the last good datasets annotated the test")
    except Exception as e:
        failures.check(False, f"{type(e).__name__}: {e}")
    finally:
        for process in helpers:
            if process.poll() is None:
                process.kill()
                process.wait()
        if pod is not None:
            pod.stop(5)  # before the spool's file system goes away under it
        if spool_mount:
            subprocess.run(["umount", "-l", spool_mount], stderr=subprocess.DEVNULL)
        e2e.teardown(pod, network, work, failures, args.keep)
    return failures.report()


if __name__ == "__main__":
    sys.exit(main())
