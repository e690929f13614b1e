#!/usr/bin/env python3
"""The whole node, end to end: the DaemonSet's pod run natively between network namespaces.

The pod is rendered from the manifests (`kubectl kustomize deploy/testing/pod`: the physical
overlay, uploading to a local directory) and every container of it is run as a process of this
build, with the pod's flags, environment, volumes (mount paths mapped onto directories made here),
user and capabilities (setpriv: uid 65534 with only the capabilities the manifest adds), inside
the node's network namespace:

    client (192.0.2.1, 2001:db8:2::2) -- router -- node (net1: 198.51.100.2, 2001:db8:1::2)

The router gives traceroute-caller a hop to trace and annotate. uuid-annotator loads a City
database built here with libmaxmind-db-writer-perl and RouteViews files for the test prefixes.
ndt7-client-go (upstream's client) runs a download over wss and an upload over ws, over IPv4 and
over IPv6, each with a Locate-style access token. Then, for every test UUID:

  * the ndt7 result, the tcpinfo archive, the pcap, the annotation2 file and the scamper1 trace
    are inside pusher's uploaded archives, and every hop of the trace has its hopannotation2;
  * M-Lab's ETL parsers (etl-check, tests/etl) parse every uploaded archive with zero errors;
  * tools/uuid-join over the uploads gives a complete join with the expected client geo and AS;

and on SIGTERM every service exits cleanly, leaving nothing in the spool.

Needs root (namespaces), the peers from tools/setup ($MLAB_PEERS), kubectl, node, perl's
MaxMind::DB::Writer and scamper. Traffic stays inside the namespaces made here.
"""

import argparse
import gzip
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request

import yaml

PEERS = os.environ.get("MLAB_PEERS", "/usr/local/lib/mlab-peers")
MACHINE = "mlab1-lga03.mlab-sandbox.measurement-lab.org"
NODE_V4, NODE_V6 = "198.51.100.2", "2001:db8:1::2"
ROUTER_NODE_V4, ROUTER_NODE_V6 = "198.51.100.1", "2001:db8:1::1"
ROUTER_CLIENT_V4, ROUTER_CLIENT_V6 = "192.0.2.254", "2001:db8:2::1"
CLIENT_V4, CLIENT_V6 = "192.0.2.1", "2001:db8:2::2"
# What the test's City database and RouteViews files say about the client (make_city_db.pl).
EXPECTED_CLIENT = {CLIENT_V4: ("SE", 64496), CLIENT_V6: ("US", 64497)}
DATATYPES = ["ndt7", "tcpinfo", "pcap", "annotation2", "scamper1", "hopannotation2"]
SITEINFO = {
    MACHINE: {
        "Annotation": {
            "Site": "lga03", "Machine": "mlab1",
            "Geo": {"ContinentCode": "NA", "CountryCode": "US", "City": "New York",
                    "Latitude": 40.7667, "Longitude": -73.8667},
            "Network": {"ASNumber": 64500, "ASName": "Test Hosting",
                        "Systems": [{"ASNs": [64500]}]},
        },
        "Network": {"IPv4": "198.51.100.0/24", "IPv6": "2001:db8:1::/64"},
        "Type": "physical",
    }
}


def log(*args):
    print(time.strftime("%H:%M:%S"), "e2e:", *args, flush=True)


def run(*argv, check=True, capture=False, timeout=120):
    result = subprocess.run(argv, text=True, timeout=timeout,
                            stdout=subprocess.PIPE if capture else None,
                            stderr=subprocess.STDOUT if capture else None)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} exited {result.returncode}:\n"
                             f"{result.stdout if capture else ''}")
    return result


def wait_until(predicate, timeout, what, step=0.25):
    """Polls a condition that has no event to await (files appearing, ports opening), bounded."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Failures:
    """Collects every failed check so one run reports all of them."""

    def __init__(self):
        self.items = []

    def check(self, ok, what):
        log(("PASS: " if ok else "FAIL: ") + what)
        if not ok:
            self.items.append(what)
        return ok

    def report(self):
        """The test's exit status, after listing every failed check."""
        if self.items:
            log(f"{len(self.items)} checks failed:")
            for item in self.items:
                print("  - " + item.splitlines()[0], flush=True)
            return 1
        log("all checks passed")
        return 0


def teardown(pod, network, work, failures, keep):
    """Stops what is left of the pod (its logs first if a check failed), removes the namespaces
    and, unless kept, the work directory."""
    if pod is not None:
        if failures.items:
            pod.tail()
        pod.stop(5)
    network.destroy()
    if keep or os.environ.get("KEEP"):
        log(f"kept {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)


# ---- network --------------------------------------------------------------------------------

class Network:
    """client -- router -- node, IPv4 and IPv6, the node's interface named net1 as on M-Lab."""

    def __init__(self, tag):
        self.node, self.router, self.client = (f"e2e-{n}-{tag}" for n in ("node", "rtr", "cli"))
        self.tag = tag

    def create(self):
        n, r, c, t = self.node, self.router, self.client, self.tag
        for ns in (n, r, c):
            run("ip", "netns", "add", ns)
        run("ip", "link", "add", f"e2e{t}n", "type", "veth", "peer", "name", f"e2e{t}a")
        run("ip", "link", "add", f"e2e{t}b", "type", "veth", "peer", "name", f"e2e{t}c")
        run("ip", "link", "set", f"e2e{t}n", "netns", n)
        run("ip", "link", "set", f"e2e{t}a", "netns", r)
        run("ip", "link", "set", f"e2e{t}b", "netns", r)
        run("ip", "link", "set", f"e2e{t}c", "netns", c)
        run("ip", "-n", n, "link", "set", f"e2e{t}n", "name", "net1")
        run("ip", "-n", c, "link", "set", f"e2e{t}c", "name", "eth0")
        for ns in (n, r, c):
            # No DAD: addresses are usable at once (nothing else is on these links).
            run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.accept_dad=0")
            run("ip", "netns", "exec", ns, "sysctl", "-q", "-w",
                "net.ipv6.conf.default.accept_dad=0")
            run("ip", "-n", ns, "link", "set", "lo", "up")
        run("ip", "netns", "exec", r, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1")
        run("ip", "netns", "exec", r, "sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=1")
        for ns, dev, v4, v6 in ((n, "net1", NODE_V4, NODE_V6),
                                (r, f"e2e{t}a", ROUTER_NODE_V4, ROUTER_NODE_V6),
                                (r, f"e2e{t}b", ROUTER_CLIENT_V4, ROUTER_CLIENT_V6),
                                (c, "eth0", CLIENT_V4, CLIENT_V6)):
            run("ip", "-n", ns, "addr", "add", f"{v4}/24", "dev", dev)
            run("ip", "-n", ns, "addr", "add", f"{v6}/64", "dev", dev, "nodad")
            run("ip", "-n", ns, "link", "set", dev, "up")
        run("ip", "-n", n, "route", "add", "default", "via", ROUTER_NODE_V4)
        run("ip", "-n", n, "-6", "route", "add", "default", "via", ROUTER_NODE_V6)
        run("ip", "-n", c, "route", "add", "default", "via", ROUTER_CLIENT_V4)
        run("ip", "-n", c, "-6", "route", "add", "default", "via", ROUTER_CLIENT_V6)
        for target in (NODE_V4, NODE_V6):
            wait_until(lambda: run("ip", "netns", "exec", c, "ping", "-c1", "-W1", target,
                                   check=False, capture=True).returncode == 0,
                       20, f"the client reaching {target}")

    def destroy(self):
        for ns in (self.node, self.router, self.client):
            subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)


# ---- the pod, run natively --------------------------------------------------------------------

def entrypoint(image_dir, image):
    """The image's ENTRYPOINT path (its Containerfile), e.g. /bin/tcp-info."""
    text = open(os.path.join(image_dir, image, "Containerfile")).read()
    match = re.search(r"^ENTRYPOINT\s+(\[.*\])", text, re.M)
    return json.loads(match.group(1))[0] if match else None


def remap(text, table):
    """Container paths -> host paths, where a path starts (after '=', a quote, 'file://', ...)."""
    for container_path in sorted(table, key=len, reverse=True):
        pattern = r"(?<![\w.-])" + re.escape(container_path) + r"(?=$|[/\s'\";)])"
        text = re.sub(pattern, lambda _: table[container_path], text)
    return text


class NativePod:
    """Runs the rendered DaemonSet's pod as processes, as the kubelet would run its containers."""

    def __init__(self, manifest, args, work, network, pod_tool):
        self.args, self.work, self.network, self.pod_tool = args, work, network, pod_tool
        self.daemonset, self.config_maps = pod_tool.load(manifest)
        self.spec = self.daemonset["spec"]["template"]["spec"]
        self.processes = {}  # container name -> Popen
        self.logs = {}

    def binary_for(self, image):
        """Our build's binary for an image localhost/mlab-cpp/<name>:<tag>, copied where uid 65534
        can run it (Bazel's runfiles are under root's home)."""
        name = image.rsplit("/", 1)[-1].split(":")[0]
        target = {
            "uuid": "tools/create-uuid-prefix-file/create-uuid-prefix-file",
            "tcp-info": "services/tcp-info/tcp-info",
            "packet-headers": "services/packet-headers/packet-headers",
            "uuid-annotator": "services/uuid-annotator/uuid-annotator",
            "traceroute-caller": "services/traceroute-caller/traceroute-caller",
            "ndt-server": "services/ndt-server/ndt-server",
            "pusher": "services/pusher/pusher",
        }.get(name)
        if target is None:
            return name, None, None
        copy = os.path.join(self.work, "bin", os.path.basename(target))
        if not os.path.exists(copy):
            os.makedirs(os.path.dirname(copy), exist_ok=True)
            shutil.copy(os.path.join(self.args.runfiles, target), copy)
            os.chmod(copy, 0o755)
        return name, copy, entrypoint(self.args.images, name)

    def privileges(self, container):
        """setpriv arguments for the container's user and capabilities."""
        security = container.get("securityContext", {})
        pod_security = self.spec.get("securityContext", {})
        uid = security.get("runAsUser", pod_security.get("runAsUser", 0))
        gid = security.get("runAsGroup", pod_security.get("runAsGroup", uid))
        capabilities = security.get("capabilities", {})
        if security.get("privileged") or "ALL" not in capabilities.get("drop", []):
            raise AssertionError(f"{container['name']}: expected capabilities drop ALL")
        added = ",".join(["-all"] + ["+" + c.lower() for c in capabilities.get("add", [])])
        argv = ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups",
                f"--inh-caps={added}", f"--bounding-set={added}"]
        if uid != 0:
            argv.append(f"--ambient-caps={added}")  # a non-root process keeps only these
        if security.get("allowPrivilegeEscalation") is False:
            argv.append("--no-new-privs")
        return argv

    def volumes(self, host_root, secrets):
        options = argparse.Namespace(state=os.path.join(self.work, "pod-state"),
                                     host_root=host_root, secrets=secrets, name="ndt-e2e",
                                     node_name=MACHINE, pod_ip=NODE_V4)
        self.options = options
        self.volume_paths = self.pod_tool.prepare_volumes(self.spec, self.config_maps, options)

    def argv_for(self, container):
        """The container's process: its command/args with $(VAR)s expanded and paths mapped."""
        env = self.pod_tool.container_env(container, self.options, "default")
        name, binary, entry = self.binary_for(container["image"])
        table = {m["mountPath"]: self.volume_paths[m["name"]]
                 for m in container.get("volumeMounts", [])}
        if entry and binary:
            table[entry] = binary
        command = [remap(self.pod_tool.expand(c, env), table)
                   for c in container.get("command", [])]
        args = [remap(self.pod_tool.expand(a, env), table) for a in container.get("args", [])]
        if not command:
            if not binary:
                return None, None
            command = [binary]
        env = {k: remap(v, table) for k, v in env.items()}
        if binary:
            env.update(self.path_defaults(binary, table, env))
        return command + args, env

    @staticmethod
    def path_defaults(binary, table, env):
        """Flag defaults that are paths inside the container's mounts (e.g. uuid-annotator's
        gRPC socket) are mapped too, through the environment variable each flag reads."""
        text = subprocess.run([binary, "--help"], capture_output=True, text=True).stderr
        text += subprocess.run([binary, "--help"], capture_output=True, text=True).stdout
        mapped = {}
        for default, variable in re.findall(r'\(default "(/[^"]*)"; env (\w+)\)', text):
            if variable not in env and remap(default, table) != default:
                mapped[variable] = remap(default, table)
        return mapped

    def start(self, container, wait):
        argv, env = self.argv_for(container)
        if argv is None:
            log(f"{container['name']}: skipped (image {container['image']} is not ours)")
            return
        full = ["ip", "netns", "exec", self.network.node] + self.privileges(container) + argv
        log_path = os.path.join(self.work, "logs", container["name"] + ".log")
        os.makedirs(os.path.dirname(log_path), exist_ok=True)
        self.logs[container["name"]] = log_path
        # The working directory is the image's (WORKDIR /): ndt-server finds html/ there.
        cwd = os.path.join(self.work, "workdir")
        process_env = {"PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", **env}
        with open(log_path, "w") as out:
            process = subprocess.Popen(full, stdout=out, stderr=subprocess.STDOUT, cwd=cwd,
                                       env=process_env, start_new_session=True)
        if wait:
            code = process.wait(timeout=60)
            if code != 0:
                raise AssertionError(f"init container {container['name']} exited {code}:\n"
                                     + open(log_path).read()[-2000:])
            log(f"init container {container['name']}: done")
        else:
            self.processes[container["name"]] = process
            log(f"{container['name']}: started (pid {process.pid})")

    def up(self):
        for sysctl in self.spec.get("securityContext", {}).get("sysctls", []):
            run("ip", "netns", "exec", self.network.node, "sysctl", "-q", "-w",
                f"{sysctl['name']}={sysctl['value']}")
        for container in self.spec.get("initContainers", []):
            if container.get("securityContext", {}).get("privileged"):
                # set-nftables-rules: the firewall needs nft, which is not ours to test here.
                log(f"init container {container['name']}: skipped (privileged, firewall only)")
                continue
            self.start(container, wait=True)
        for container in self.spec["containers"]:
            self.start(container, wait=False)

    def dead(self):
        return {n: p.returncode for n, p in self.processes.items() if p.poll() is not None}

    def stop(self, grace):
        """SIGTERM to every container at once (as the kubelet), SIGKILL after the grace period."""
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)  # the main process only, as in a container
        deadline = time.monotonic() + grace
        codes = {}
        for name, process in self.processes.items():
            try:
                codes[name] = process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                codes[name] = f"killed after {grace}s"
                process.wait()
        return codes

    def tail(self, lines=25):
        for name, path in self.logs.items():
            text = open(path, errors="replace").read().splitlines()[-lines:]
            print(f"--- {name} ({path})\n" + "\n".join("    " + t for t in text), flush=True)


# ---- inputs made for the test -----------------------------------------------------------------

def prepare_inputs(work, repo):
    """Annotator data, node metadata, TLS certificate and Locate keys, as the node would have."""
    host_root = os.path.join(work, "host")
    data = os.path.join(host_root, "cache", "annotator-data")
    metadata = os.path.join(host_root, "var", "local", "metadata")
    secrets = {name: os.path.join(work, "secrets", name) for name in
               ("measurement-lab-org-tls", "locate-verify-keys", "pusher-credentials",
                "uuid-annotator-credentials")}
    for d in [data, metadata, *secrets.values(), os.path.join(work, "keys")]:
        os.makedirs(d, exist_ok=True)

    # A City database for the test prefixes (Perl's MaxMind::DB::Writer), packed as the
    # MaxMind download is; RouteViews prefix-to-AS for the client, node and router prefixes.
    mmdb_dir = os.path.join(work, "mmdb", "GeoLite2-City_20231114")
    os.makedirs(mmdb_dir)
    run("perl", os.path.join(repo, "services/uuid-annotator/testdata/make_city_db.pl"),
        os.path.join(mmdb_dir, "GeoLite2-City.mmdb"))
    with tarfile.open(os.path.join(data, "fake.tar.gz"), "w:gz") as tar:
        tar.add(mmdb_dir, arcname="GeoLite2-City_20231114")
    with gzip.open(os.path.join(data, "RouteViewIPv4.tiny.gz"), "wt") as f:
        f.write("192.0.2.0\t24\t64496\n198.51.100.0\t24\t64501\n")
    with gzip.open(os.path.join(data, "RouteViewIPv6.tiny.gz"), "wt") as f:
        f.write("2001:db8::\t32\t64497_64498,64499\n")
    with open(os.path.join(data, "annotations.json"), "w") as f:
        json.dump(SITEINFO, f)

    for name, value in (("iface-max-rate", "10000000000"), ("managed", "none"),
                        ("loadbalanced", "false")):
        with open(os.path.join(metadata, name), "w") as f:
            f.write(value)

    tls = secrets["measurement-lab-org-tls"]
    run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-days", "2", "-subj", f"/CN={MACHINE}", "-addext",
        f"subjectAltName=DNS:{MACHINE},IP:{NODE_V4},IP:{NODE_V6}",
        "-keyout", os.path.join(tls, "tls.key"), "-out", os.path.join(tls, "tls.crt"),
        capture=True)
    keys = os.path.join(work, "keys")
    run("node", os.path.join(repo, "deploy/testing/token.mjs"), "keygen", keys)
    shutil.copy(os.path.join(keys, "verify.jwk"),
                os.path.join(secrets["locate-verify-keys"], "jwk_sig_EdDSA_locate_20200409.pub"))

    # The image's working directory: ndt-server serves -htmldir=html/mlab from it.
    shutil.copytree(os.path.join(repo, "services/ndt-server/html"),
                    os.path.join(work, "workdir", "html", "mlab"))
    return host_root, secrets


# ---- checks -----------------------------------------------------------------------------------

def client_test(network, work, repo, family, direction, early_exit=False):
    """One ndt7-client-go test with a fresh token; returns the UUID the server reported.
    early_exit: a download ends once 250 MB are acknowledged (upstream's early_exit=250), well
    before 10 s between these namespaces: for checks that need a complete test, not a long one."""
    host = NODE_V4 if family == "v4" else f"[{NODE_V6}]"
    scheme = "wss" if direction == "download" else "ws"
    token = run("node", os.path.join(repo, "deploy/testing/token.mjs"), "sign",
                os.path.join(work, "keys"), MACHINE, capture=True).stdout.strip()
    out = run("ip", "netns", "exec", network.client, os.path.join(PEERS, "bin", "ndt7-client"),
              "-no-verify", "-format", "json", "-timeout", "30s",
              "-service-url", f"{scheme}://{host}/ndt/v7/{direction}?access_token={token}"
              + ("&early_exit=250" if early_exit and direction == "download" else ""),
              f"-download={'true' if direction == 'download' else 'false'}",
              f"-upload={'true' if direction == 'upload' else 'false'}",
              check=False, capture=True, timeout=60).stdout
    with open(os.path.join(work, f"client-{family}-{direction}.json"), "w") as f:
        f.write(out)
    uuids = set(re.findall(r'"UUID":\s*"([^"]+)"', out))
    if len(uuids) != 1:
        raise AssertionError(f"{family} {direction}: expected one UUID in the client's output, "
                             f"got {sorted(uuids)}:\n{out[-1500:]}")
    return uuids.pop()


def spool_files(spool):
    """Data files left in the spool; hidden directories hold services' state (pusher's journal,
    staging, uuid-annotator's annotated log), never data."""
    return [os.path.join(r, f) for r, _, fs in os.walk(spool) for f in fs
            if not any(p.startswith(".") for p in os.path.relpath(r, spool).split(os.sep))]


def uploaded_members(uploads):
    """datatype -> {member basename: archive path}, over every archive pusher uploaded."""
    members = {d: {} for d in DATATYPES}
    for root, _, files in os.walk(uploads):
        for name in files:
            if not name.endswith(".tgz"):
                continue
            path = os.path.join(root, name)
            datatype = os.path.relpath(path, uploads).split(os.sep)[1]
            try:
                with tarfile.open(path) as tar:
                    for member in tar.getmembers():
                        members.setdefault(datatype, {})[os.path.basename(member.name)] = path
            except (tarfile.TarError, EOFError):
                pass  # not complete yet: a later poll reads it again
    return members


def missing_for(uuid, members):
    missing = []
    for datatype in ("ndt7", "tcpinfo", "pcap", "annotation2", "scamper1"):
        if not any(uuid in name for name in members.get(datatype, {})):
            missing.append(datatype)
    return missing


def trace_hops(uuid, members):
    """Hop addresses of the scamper1 trace of `uuid` (tracelb nodes), read from its archive."""
    name = next(n for n in members["scamper1"] if uuid in n)
    with tarfile.open(members["scamper1"][name]) as tar:
        member = next(m for m in tar.getmembers() if os.path.basename(m.name) == name)
        text = tar.extractfile(member).read().decode()
    return set(re.findall(r'"addr"\s*:\s*"([^"]+)"', text)), text


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runfiles", default=os.getcwd(), help="root of this build's runfiles")
    parser.add_argument("--timeout", type=int, default=180,
                        help="seconds to wait for the uploads after the client tests")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    repo = args.runfiles
    args.images = os.path.join(repo, "deploy/images")
    sys.path.insert(0, os.path.join(repo, "deploy/testing"))
    import pod as pod_tool  # deploy/testing/pod.py: volumes, env and $(VAR) as the kubelet

    for tool in ("kubectl", "node", "perl", "setpriv", "scamper", "openssl"):
        if not shutil.which(tool):
            raise SystemExit(f"e2e: {tool} missing: run tools/setup")
    for peer in ("ndt7-client", "etl-check"):
        if not os.access(os.path.join(PEERS, "bin", peer), os.X_OK):
            raise SystemExit(f"e2e: {PEERS}/bin/{peer} missing: run tools/setup")

    # World-readable so the services' uid 65534 can reach its directories (root's home is not).
    work = tempfile.mkdtemp(prefix="mlab-e2e.", dir="/var/tmp")
    os.chmod(work, 0o755)
    network = Network(str(os.getpid() % 100000))
    pod = None
    failures = Failures()
    try:
        network.create()
        log(f"namespaces {network.client} -- {network.router} -- {network.node}; work {work}")
        manifest = os.path.join(work, "pod.yaml")
        # kustomize does not follow the runfiles' symlinks: render a real copy of the tree.
        for part in ("k8s", "testing/pod"):
            shutil.copytree(os.path.join(repo, "deploy", part), os.path.join(work, "deploy", part))
        rendered = run("kubectl", "kustomize", os.path.join(work, "deploy/testing/pod"),
                       capture=True).stdout
        with open(manifest, "w") as f:
            f.write(rendered)
        host_root, secrets = prepare_inputs(work, repo)
        pod = NativePod(manifest, args, work, network, pod_tool)
        pod.volumes(host_root, secrets)
        pod.up()
        spool = pod.volume_paths["ndt-data"]
        uploads = pod.volume_paths["uploads"]

        # Ready: every container's /metrics answers on the pod IP, ndt-server's health is 200.
        ports = sorted({int(a.rsplit(":", 1)[1]) for c in pod.spec["containers"]
                        for a in c.get("args", []) if a.startswith("-prometheusx.listen-address=")})

        def metrics_ok(port):
            return run("ip", "netns", "exec", network.client, "curl", "-sf", "-o", "/dev/null",
                       "--max-time", "2", f"http://{NODE_V4}:{port}/metrics",
                       check=False).returncode == 0

        def ready():
            if pod.dead():
                raise AssertionError(f"containers exited: {pod.dead()}")
            health = run("ip", "netns", "exec", network.node, "curl", "-sf", "-o", "/dev/null",
                         "--max-time", "2", "http://127.0.0.1:8000/health", check=False)
            return health.returncode == 0 and all(metrics_ok(p) for p in ports)

        wait_until(ready, 60, "every container's /metrics and ndt-server's health")
        failures.check(len(ports) == 6, f"six services serve /metrics on the pod IP ({ports})")

        # ndt7-client-go: download (wss) and upload (ws), IPv4 and IPv6. The IPv6 download asks
        # for early_exit=250, so that one test through the whole node ends that way.
        tests = {}
        for family in ("v4", "v6"):
            for direction in ("download", "upload"):
                uuid = client_test(network, work, repo, family, direction,
                                   early_exit=family == "v6")
                tests[uuid] = (family, direction)
                log(f"ndt7 {direction} over {family}: UUID {uuid}")
        failures.check(len(tests) == 4, "four tests, four distinct UUIDs")

        # Every datatype of every test reaches the upload directory inside pusher's archives.
        state = {}

        def all_uploaded():
            members = uploaded_members(uploads)
            state["members"] = members
            state["missing"] = {u: missing_for(u, members) for u in tests}
            if any(state["missing"].values()):
                return False
            hops = set()
            for uuid in tests:
                hops |= trace_hops(uuid, members)[0]
            state["hops"] = hops
            annotated = "\n".join(members["hopannotation2"])
            state["unannotated"] = {h for h in hops if h not in annotated}
            return not state["unannotated"]

        try:
            wait_until(all_uploaded, args.timeout, "every test's files in uploaded archives", 1)
        except AssertionError:
            pass
        members = state.get("members", {})
        for uuid, (family, direction) in sorted(tests.items(), key=lambda t: t[1]):
            missing = state.get("missing", {}).get(uuid, ["everything"])
            failures.check(not missing, f"{family} {direction} {uuid}: ndt7, tcpinfo, pcap, "
                           f"annotation2 and scamper1 uploaded (missing: {missing or 'none'})")
        failures.check("hops" in state and not state.get("unannotated"),
                       f"every hop of the traces has an uploaded hopannotation2 "
                       f"(hops {sorted(state.get('hops', []))}, "
                       f"without: {sorted(state.get('unannotated', []))})")
        for datatype in DATATYPES:
            failures.check(bool(members.get(datatype)),
                           f"{datatype}: {len(members.get(datatype, {}))} files uploaded")

        # The UUID inside the files, not only in their names: the trace names its UUID.
        for uuid in tests:
            if "scamper1" not in state.get("missing", {}).get(uuid, ["scamper1"]):
                text = trace_hops(uuid, members)[1]
                failures.check(f'"UUID":"{uuid}"' in text.replace(" ", ""),
                               f"scamper1 trace of {uuid} carries its UUID")

        # Clean shutdown, as the kubelet does it.
        grace = pod.spec.get("terminationGracePeriodSeconds", 30)
        codes = pod.stop(min(grace, 90))
        failures.check(all(c == 0 for c in codes.values()),
                       f"every service exits 0 on SIGTERM ({codes})")
        left = spool_files(spool)
        failures.check(not left, f"the spool is empty after shutdown ({left[:5]})")

        # M-Lab's ETL parsers on every uploaded archive.
        archives = sorted(os.path.join(r, f) for r, _, fs in os.walk(uploads) for f in fs
                          if f.endswith(".tgz"))
        for archive in archives:
            # Strict (no field upstream's schema lacks) except ndt7: ETL pins ndt-server
            # v0.20.18, older than the result schema we write (v0.25.0 adds StartTime/EndTime).
            strict = [] if "/ndt7/" in archive else ["-strict"]
            result = run(os.path.join(PEERS, "bin", "etl-check"), *strict, archive,
                         check=False, capture=True)
            failures.check(result.returncode == 0,
                           f"etl-check {os.path.relpath(archive, uploads)}"
                           + ("" if result.returncode == 0 else ":\n" + result.stdout[-2000:]))

        # The researcher's join: complete for every test UUID, with the client's geo and AS.
        joined = os.path.join(work, "joined")
        result = run(os.path.join(repo, "tools/uuid-join/uuid-join"), "-require-complete",
                     f"-output={joined}", uploads, check=False, capture=True)
        failures.check(result.returncode == 0,
                       "uuid-join -require-complete over the uploads"
                       + ("" if result.returncode == 0 else ":\n" + result.stdout[-2000:]))
        for uuid, (family, direction) in tests.items():
            path = os.path.join(joined, f"{uuid}.json")
            if not failures.check(os.path.exists(path), f"uuid-join wrote {uuid}.json"):
                continue
            doc = json.load(open(path))
            client_ip = CLIENT_V4 if family == "v4" else CLIENT_V6
            router = ROUTER_NODE_V4 if family == "v4" else ROUTER_NODE_V6
            country, asn = EXPECTED_CLIENT[client_ip]
            ndt7 = doc.get("ndt7") or [{}]
            hops = doc.get("traceroute", {}).get("Hops", [])
            failures.check(
                not doc.get("Missing")
                and ndt7[0].get("Direction") == direction
                and ndt7[0].get("ClientIP") == client_ip
                and ndt7[0].get("MeanThroughputMbps", 0) > 0
                and doc.get("tcpinfo", {}).get("Snapshots", 0) > 0
                and doc.get("pcap", {}).get("Packets", 0) > 0
                and doc.get("client", {}).get("CountryCode") == country
                and doc.get("client", {}).get("ASNumber") == asn
                and doc.get("server", {}).get("Site") == "lga03"
                and router in [h.get("IP") for h in hops]
                and all("ASNumber" in h for h in hops),
                f"{family} {direction}: complete join (geo {country}, AS{asn}, throughput, "
                f"tcpinfo, pcap, hop {router} annotated): {json.dumps(doc)[:600]}")
    except Exception as e:  # report, then clean up
        failures.check(False, f"{type(e).__name__}: {e}")
    finally:
        teardown(pod, network, work, failures, args.keep)
    return failures.report()


if __name__ == "__main__":
    sys.exit(main())
