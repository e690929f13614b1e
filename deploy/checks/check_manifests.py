#!/usr/bin/env python3
"""Our own checks of the deployment manifests, offline (PyYAML only).

For each rendered Kubernetes overlay and for the compose project:
  * unknown keys (the Kubernetes subset we use, spelled as the API spells it);
  * cross references: volume mounts and volumes, $(VAR) and env, socket paths shared by the server
    and its clients (on the same volume), the UUID prefix file, unique and canonical ports, data
    directories under /var/spool/ndt on one writable mount with their staging siblings, pusher's
    datatypes, capabilities, users, probes, grace period;
  * flags: every flag given to one of our binaries is one that binary lists in its --help.
    A binary that is not built yet is reported PENDING (or FAIL with --strict).

  check_manifests.py [--bin DIR] [--strict] [--k8s NAME=FILE]... [--compose FILE --env FILE]...
"""

import argparse
import os
import posixpath
import re
import shlex
import subprocess
import sys

import yaml

# ---------------------------------------------------------------------------------------------
# What the suite is made of.

# Image repository -> (binary in the Bazel output tree, binary's path in the image).
OUR_IMAGES = {
    "localhost/mlab-cpp/tcp-info": ("services/tcp-info/tcp-info", "/bin/tcp-info"),
    "localhost/mlab-cpp/traceroute-caller": (
        "services/traceroute-caller/traceroute-caller", "/traceroute-caller"),
    "localhost/mlab-cpp/packet-headers": (
        "services/packet-headers/packet-headers", "/packet-headers"),
    "localhost/mlab-cpp/uuid-annotator": (
        "services/uuid-annotator/uuid-annotator", "/uuid-annotator"),
    "localhost/mlab-cpp/pusher": ("services/pusher/pusher", "/pusher"),
    "localhost/mlab-cpp/ndt-server": ("services/ndt-server/ndt-server", "/ndt-server"),
    "localhost/mlab-cpp/uuid": (
        "tools/create-uuid-prefix-file/create-uuid-prefix-file", "/create-uuid-prefix-file"),
}
# Images with a shell and tools but none of our binaries (init scripts).
SHELL_IMAGES = {"localhost/mlab-cpp/base", "localhost/mlab-cpp/nftables"}
# M-Lab's own Go images that run beside the suite (flags not ours to check).
UPSTREAM_IMAGES = {"measurementlab/heartbeat", "quay.io/brancz/kube-rbac-proxy",
                   "measurementlab/autojoin-register"}

SERVICES = ["tcp-info", "traceroute-caller", "packet-headers", "uuid-annotator", "pusher",
            "ndt-server"]
METRICS_PORTS = {"ndt-server": 9990, "tcp-info": 9991, "traceroute-caller": 9992,
                 "packet-headers": 9993, "uuid-annotator": 9994, "pusher": 9995}
SPOOL = "/var/spool/ndt"
EVENT_SOCKET = "/var/local/tcpinfoeventsocket/tcpevents.sock"
ANNOTATOR_SOCKET_DIR = "/var/local/uuidannotatorsocket"
UUID_PREFIX = "/var/local/uuid/prefix"
# Datatypes every deployment uploads; ndt5 is listed by upstream's pusher but has no writer here.
LEGACY_DATATYPES = {"ndt5"}

# Capabilities each container may add (everything else is dropped).
ALLOWED_CAPS = {
    "packet-headers": {"NET_RAW"},
    "traceroute-caller": {"NET_RAW", "SETGID", "SYS_CHROOT"},
    "pusher": {"DAC_OVERRIDE"},
    "ndt-server": {"NET_BIND_SERVICE"},
    "set-data-dir-perms": {"CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID"},
    "set-nftables-rules": {"NET_ADMIN"},
}
# Containers that may run as root (as upstream), all with their capabilities dropped.
ROOT_ALLOWED = {"set-up-uuid-prefix-file", "set-data-dir-perms", "set-nftables-rules", "pusher",
                "ndt-server", "check-config"}
# Environment variables our programs read that are not flags.
NON_FLAG_ENV = {"GOOGLE_APPLICATION_CREDENTIALS", "POD_NAME", "AWS_ACCESS_KEY_ID",
                "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "STORAGE_EMULATOR_HOST"}
FIELD_PATHS = {"metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName",
               "spec.serviceAccountName", "status.hostIP", "status.podIP", "status.podIPs"}

# ---------------------------------------------------------------------------------------------
# Known keys of the Kubernetes objects we write (names as in the API reference). A dict is an
# object with exactly these keys, [x] a list of x, MAP a string map, ANY anything.

ANY, MAP, STR = "any", "map", "str"
META = {"name": STR, "namespace": STR, "labels": MAP, "annotations": MAP,
        "generateName": STR}
SELECTOR = {"matchLabels": MAP, "matchExpressions": ANY}
ENV = {"name": STR, "value": STR, "valueFrom": {
    "fieldRef": {"fieldPath": STR, "apiVersion": STR},
    "secretKeyRef": {"name": STR, "key": STR, "optional": ANY},
    "configMapKeyRef": {"name": STR, "key": STR, "optional": ANY},
    "resourceFieldRef": {"resource": STR, "containerName": STR, "divisor": ANY}}}
PROBE = {"exec": {"command": [STR]},
         "httpGet": {"path": STR, "port": ANY, "host": STR, "scheme": STR, "httpHeaders": ANY},
         "tcpSocket": {"port": ANY, "host": STR}, "grpc": {"port": ANY, "service": STR},
         "initialDelaySeconds": ANY, "periodSeconds": ANY, "timeoutSeconds": ANY,
         "failureThreshold": ANY, "successThreshold": ANY,
         "terminationGracePeriodSeconds": ANY}
SECCOMP = {"type": STR, "localhostProfile": STR}
CONTAINER = {
    "name": STR, "image": STR, "imagePullPolicy": STR, "command": [STR], "args": [STR],
    "workingDir": STR, "env": [ENV], "envFrom": ANY,
    "ports": [{"containerPort": ANY, "name": STR, "protocol": STR, "hostPort": ANY,
               "hostIP": STR}],
    "resources": {"requests": MAP, "limits": MAP},
    "securityContext": {"runAsUser": ANY, "runAsGroup": ANY, "runAsNonRoot": ANY,
                        "privileged": ANY, "allowPrivilegeEscalation": ANY,
                        "readOnlyRootFilesystem": ANY, "procMount": STR,
                        "capabilities": {"add": [STR], "drop": [STR]},
                        "seccompProfile": SECCOMP},
    "volumeMounts": [{"name": STR, "mountPath": STR, "readOnly": ANY, "subPath": STR,
                      "subPathExpr": STR, "mountPropagation": STR}],
    "readinessProbe": PROBE, "livenessProbe": PROBE, "startupProbe": PROBE,
    "lifecycle": {"preStop": ANY, "postStart": ANY},
    "terminationMessagePath": STR, "terminationMessagePolicy": STR, "stdin": ANY, "tty": ANY,
}
KEY_TO_PATH = [{"key": STR, "path": STR, "mode": ANY}]
VOLUME = {"name": STR,
          "hostPath": {"path": STR, "type": STR},
          "emptyDir": {"medium": STR, "sizeLimit": ANY},
          "secret": {"secretName": STR, "items": KEY_TO_PATH, "defaultMode": ANY,
                     "optional": ANY},
          "configMap": {"name": STR, "items": KEY_TO_PATH, "defaultMode": ANY, "optional": ANY},
          "persistentVolumeClaim": {"claimName": STR, "readOnly": ANY},
          "projected": ANY}
POD_SPEC = {
    "containers": [CONTAINER], "initContainers": [CONTAINER], "volumes": [VOLUME],
    "hostNetwork": ANY, "hostPID": ANY, "hostIPC": ANY, "shareProcessNamespace": ANY,
    "dnsPolicy": STR, "dnsConfig": {"nameservers": [STR], "searches": [STR], "options": ANY},
    "nodeSelector": MAP, "nodeName": STR, "affinity": ANY, "tolerations": ANY,
    "serviceAccountName": STR, "automountServiceAccountToken": ANY,
    "securityContext": {"runAsUser": ANY, "runAsGroup": ANY, "runAsNonRoot": ANY,
                        "fsGroup": ANY, "supplementalGroups": ANY, "seccompProfile": SECCOMP,
                        "sysctls": [{"name": STR, "value": STR}]},
    "terminationGracePeriodSeconds": ANY, "priorityClassName": STR, "restartPolicy": STR,
    "imagePullSecrets": ANY, "enableServiceLinks": ANY, "hostname": STR,
}
KINDS = {
    "DaemonSet": {"apiVersion": STR, "kind": STR, "metadata": META, "spec": {
        "selector": SELECTOR, "minReadySeconds": ANY, "revisionHistoryLimit": ANY,
        "updateStrategy": {"type": STR, "rollingUpdate": {"maxUnavailable": ANY,
                                                          "maxSurge": ANY}},
        "template": {"metadata": META, "spec": POD_SPEC}}},
    "ConfigMap": {"apiVersion": STR, "kind": STR, "metadata": META, "data": MAP,
                  "binaryData": MAP, "immutable": ANY},
    "Secret": {"apiVersion": STR, "kind": STR, "metadata": META, "data": MAP,
               "stringData": MAP, "type": STR, "immutable": ANY},
    "ServiceAccount": {"apiVersion": STR, "kind": STR, "metadata": META,
                       "automountServiceAccountToken": ANY, "secrets": ANY,
                       "imagePullSecrets": ANY},
    "ClusterRole": {"apiVersion": STR, "kind": STR, "metadata": META, "aggregationRule": ANY,
                    "rules": [{"apiGroups": [STR], "resources": [STR], "verbs": [STR],
                               "resourceNames": [STR], "nonResourceURLs": [STR]}]},
    "ClusterRoleBinding": {"apiVersion": STR, "kind": STR, "metadata": META,
                           "roleRef": {"apiGroup": STR, "kind": STR, "name": STR},
                           "subjects": [{"kind": STR, "name": STR, "namespace": STR,
                                         "apiGroup": STR}]},
}


class Report:
    def __init__(self):
        self.failures = 0
        self.pending = []

    def fail(self, where, message):
        self.failures += 1
        print(f"FAIL: {where}: {message}")

    def ok(self, message):
        print(f"ok: {message}")


def unknown_keys(report, where, value, schema, path=""):
    if schema == ANY:
        return
    if schema == MAP:
        if not isinstance(value, dict):
            report.fail(where, f"{path or '/'} must be a map")
            return
        for key, item in value.items():
            if not isinstance(item, str):
                report.fail(where, f"{path}/{key} must be a string (quote it)")
        return
    if schema == STR:
        if not isinstance(value, str):
            report.fail(where, f"{path} must be a string")
        return
    if isinstance(schema, list):
        if not isinstance(value, list):
            report.fail(where, f"{path} must be a list")
            return
        for index, item in enumerate(value):
            unknown_keys(report, where, item, schema[0], f"{path}/{index}")
        return
    if not isinstance(value, dict):
        report.fail(where, f"{path or '/'} must be an object")
        return
    for key, item in value.items():
        if key not in schema:
            report.fail(where, f"unknown key {path}/{key}")
        else:
            unknown_keys(report, where, item, schema[key], f"{path}/{key}")


# ---------------------------------------------------------------------------------------------
# Flags of our binaries.

FLAG_LINE = re.compile(r"^ {2}--?([A-Za-z0-9][A-Za-z0-9_.\-]*)(?:\s+(\S.*))?$")
_help_cache = {}
SOURCE_DIR = ""  # the workspace, to tell a service not written yet from one not built


def binary_flags(bin_dir, relative):
    """{flag: is_bool} from `binary --help`, or None when the binary is not built."""
    if relative in _help_cache:
        return _help_cache[relative]
    path = os.path.join(bin_dir, relative) if bin_dir else None
    flags = None
    if path and os.path.isfile(path) and os.access(path, os.X_OK):
        result = subprocess.run([path, "--help"], capture_output=True, text=True, timeout=60)
        flags = {}
        for line in (result.stdout + result.stderr).splitlines():
            match = FLAG_LINE.match(line)
            if match:
                flags[match.group(1)] = match.group(2) is None
        if not flags:
            raise RuntimeError(f"{path} --help lists no flags (exit {result.returncode})")
    _help_cache[relative] = flags
    return flags


def env_name(flag):
    return re.sub(r"[^A-Z0-9]", "_", flag.upper())


def image_repo(image):
    return image.rsplit(":", 1)[0] if ":" in image.rsplit("/", 1)[-1] else image


def invocation(image_path, command, args):
    """(flag tokens given to the binary, problems) for a container's command and args."""
    problems = []
    if not command or command[0] == image_path:
        return (command[1:] if command else []) + list(args), problems
    if posixpath.basename(command[0]) in ("sh", "bash") and len(command) >= 3 and \
            command[1] == "-c":
        # A command substitution is one word of the command, whatever it contains.
        script = re.sub(r"\$\([^()]*\)", "CMD_SUBST", command[2])
        tokens = shlex.split(script, posix=True)
        for i, token in enumerate(tokens):
            if token == image_path:
                flags = []
                passes_args = False
                for t in tokens[i + 1:]:
                    if t in ("$@", "${@}"):
                        passes_args = True
                        break
                    if t in (";", "&&", "||", "|"):
                        break
                    flags.append(t)
                if args and not passes_args:
                    problems.append("the shell command does not pass the args on (\"$@\")")
                return flags + (list(args) if passes_args else []), problems
        problems.append(f"the shell command does not run {image_path}")
        return [], problems
    problems.append(f"command {command[0]} is not {image_path}")
    return [], problems


def check_flag_tokens(report, where, tokens, known):
    """Go flag-package parsing: -name, --name, -name=value, -name value (non-bool)."""
    i = 0
    seen = []
    while i < len(tokens):
        token = tokens[i]
        if token == "--":
            break
        if not token.startswith("-") or token == "-":
            report.fail(where, f"'{token}' is not a flag: Go-style parsing stops there, so "
                               f"{len(tokens) - i - 1} later argument(s) would be ignored")
            return seen
        name, has_value, _ = token.lstrip("-").partition("=")
        if token.startswith("---"):
            report.fail(where, f"bad flag syntax {token}")
        elif name not in known:
            report.fail(where, f"flag -{name} is not accepted by the binary")
        else:
            seen.append(name)
            if not has_value and not known[name]:
                i += 1  # the next argument is the value
        i += 1
    return seen


VAR_REF = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")


def check_flags(report, bin_dir, strict, where, name, image, command, args, env_names,
                shell_vars):
    """Flags and environment of one container against its binary's --help."""
    repo = image_repo(image)
    if repo in SHELL_IMAGES:
        return
    if repo not in OUR_IMAGES:
        if repo in UPSTREAM_IMAGES:
            print(f"skip: {where}: {image} is an upstream image, its flags are not ours to check")
        else:
            report.fail(where, f"unknown image {image}")
        return
    relative, image_path = OUR_IMAGES[repo]
    tokens, problems = invocation(image_path, command, args)
    for problem in problems:
        report.fail(where, problem)
    known = binary_flags(bin_dir, relative)
    if known is None:
        package = os.path.dirname(relative)
        target = f"//{package}:{os.path.basename(relative)}"
        if SOURCE_DIR and not os.path.exists(os.path.join(SOURCE_DIR, package, "BUILD.bazel")):
            message = f"flags of {name} not checked: {target} does not exist yet"
        else:
            message = (f"flags of {name} not checked: {target} is not built in "
                       f"{bin_dir or '(no output tree)'}")
        if strict:
            report.fail(where, message)
        else:
            report.pending.append(f"{where}: {message}")
        return
    used = check_flag_tokens(report, where, tokens, known)
    env_flags = {env_name(flag): flag for flag in known}
    referenced = set(VAR_REF.findall(" ".join(list(command) + list(args)))) | shell_vars
    for var in env_names:
        if var in referenced or var in NON_FLAG_ENV:
            continue
        if var in env_flags:
            if env_flags[var] in used:
                report.fail(where, f"env {var} sets -{env_flags[var]}, which the command line "
                                   "also sets (the command line wins)")
            continue
        report.fail(where, f"env {var} is neither a flag of {name} nor used by its command")
    report.ok(f"{where}: {len(used)} flags accepted by {relative}")


def flag_values(tokens, name):
    values = []
    for token in tokens:
        flag, has_value, value = token.lstrip("-").partition("=")
        if token.startswith("-") and flag == name and has_value:
            values.append(value)
    return values


def shell_variables(command):
    if command and posixpath.basename(command[0]) in ("sh", "bash") and len(command) >= 3:
        return set(re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", command[2]))
    return set()


# ---------------------------------------------------------------------------------------------
# A deployment unit (the pod, or the compose project) reduced to what the cross checks need.

class Unit:
    """containers: name -> dict(image, tokens, mounts: [(path, volume id, writable)], ...)."""

    def __init__(self, where):
        self.where = where
        self.containers = {}


def mount_for(mounts, path):
    """The deepest mount containing path: (mountPath, volume id, writable) or None."""
    best = None
    for mount in mounts:
        root = mount[0].rstrip("/") or "/"
        if path == root or path.startswith(root + "/"):
            if best is None or len(root) > len(best[0].rstrip("/")):
                best = mount
    return best


def written_dirs(name, tokens):
    """Datatype directories a service writes, from its flags."""
    dirs = []
    if name == "tcp-info":
        dirs += flag_values(tokens, "output")
    elif name in ("packet-headers", "uuid-annotator"):
        dirs += flag_values(tokens, "datadir")
    elif name == "traceroute-caller":
        dirs += flag_values(tokens, "traceroute-output") + \
            flag_values(tokens, "hopannotation-output")
    elif name == "ndt-server":
        dirs += [posixpath.join(d, "ndt7") for d in flag_values(tokens, "datadir")]
    return [posixpath.normpath(d) for d in dirs]


def cross_check(report, unit, init_script):
    where = unit.where
    c = unit.containers
    missing = [s for s in SERVICES if s not in c]
    if missing:
        report.fail(where, f"services missing: {', '.join(missing)}")
    # Event socket: one path, served by tcp-info, every client on the server's volume.
    for flag, server, clients in (
            ("tcpinfo.eventsocket", "tcp-info",
             ["packet-headers", "uuid-annotator", "traceroute-caller"]),
            ("ipservice.sock", "uuid-annotator", ["traceroute-caller"])):
        paths = {n: flag_values(c[n]["tokens"], flag) for n in [server] + clients if n in c}
        values = {v for vs in paths.values() for v in vs}
        for n, vs in paths.items():
            if len(vs) != 1:
                report.fail(where, f"{n} must set -{flag} exactly once (has {vs})")
        if len(values) != 1:
            report.fail(where, f"-{flag} differs between server and clients: {sorted(values)}")
            continue
        socket = values.pop()
        server_mount = mount_for(c[server]["mounts"], socket) if server in c else None
        if server_mount is None or not server_mount[2]:
            report.fail(where, f"{server} serves {socket} but has no writable mount for it")
            continue
        for n in clients:
            if n not in c:
                continue
            m = mount_for(c[n]["mounts"], socket)
            if m is None or m[1] != server_mount[1]:
                report.fail(where, f"{n} reaches {socket} through {m and m[1]}, "
                                   f"not through {server_mount[1]} as {server} serves it")
        report.ok(f"{where}: -{flag}={socket} served by {server}, shared with "
                  f"{', '.join(n for n in clients if n in c)}")
    # UUID prefix: written by the init container, read from the same volume.
    writer = c.get("set-up-uuid-prefix-file")
    if writer:
        written = flag_values(writer["tokens"], "filename")
        wm = mount_for(writer["mounts"], written[0]) if written else None
        if not written or wm is None or not wm[2]:
            report.fail(where, "set-up-uuid-prefix-file writes no -filename on a writable mount")
        else:
            for n in ("tcp-info", "packet-headers", "traceroute-caller", "ndt-server"):
                if n not in c:
                    continue
                read = flag_values(c[n]["tokens"], "uuid-prefix-file")
                if n in ("tcp-info", "ndt-server") and read != written:
                    report.fail(where, f"{n} -uuid-prefix-file={read} is not the file written "
                                       f"({written[0]})")
                for path in read:
                    m = mount_for(c[n]["mounts"], path)
                    if m is None or m[1] != wm[1]:
                        report.fail(where, f"{n} reads {path} from {m and m[1]}, not {wm[1]}")
            report.ok(f"{where}: UUID prefix {written[0]} written by the init container, "
                      "read on the same volume")
    else:
        report.fail(where, "no set-up-uuid-prefix-file init container")
    # Data directories: under /var/spool/ndt, on one writable volume with their staging dir.
    spool_volume = None
    writers = {}
    for n in SERVICES:
        if n not in c:
            continue
        for d in written_dirs(n, c[n]["tokens"]):
            if posixpath.dirname(d) != SPOOL:
                report.fail(where, f"{n} writes {d}, not a datatype directory of {SPOOL}")
                continue
            datatype = posixpath.basename(d)
            writers[datatype] = n
            staging = posixpath.join(SPOOL, ".tmp-" + datatype)
            m, ms = mount_for(c[n]["mounts"], d), mount_for(c[n]["mounts"], staging)
            if m is None or not m[2]:
                report.fail(where, f"{n} writes {d} without a writable mount")
            elif ms != m:
                report.fail(where, f"{n}: {d} and its staging dir {staging} are on different "
                                   "mounts (rename would fail: files get copied)")
            else:
                spool_volume = spool_volume or m[1]
                if m[1] != spool_volume:
                    report.fail(where, f"{n} writes {d} on {m[1]}, not on {spool_volume}")
            if init_script is not None and not re.search(rf"\b{re.escape(datatype)}\b",
                                                         init_script):
                report.fail(where, f"set-data-dir-perms does not create {datatype}")
    if "pusher" in c:
        tokens = c["pusher"]["tokens"]
        directory = [posixpath.normpath(d) for d in flag_values(tokens, "directory")]
        datatypes = {v.split("=", 1)[0] for v in flag_values(tokens, "datatype")}
        if directory != [SPOOL]:
            report.fail(where, f"pusher -directory={directory}, not {SPOOL}")
        m = mount_for(c["pusher"]["mounts"], SPOOL)
        if m is None or m[1] != spool_volume or not m[2]:
            report.fail(where, f"pusher does not mount the spool volume {spool_volume} writable")
        for datatype in sorted(set(writers) - datatypes):
            report.fail(where, f"{writers[datatype]} writes {datatype} but pusher does not "
                               "upload it")
        for datatype in sorted(datatypes - set(writers) - LEGACY_DATATYPES):
            report.fail(where, f"pusher uploads {datatype}, which nothing writes")
        report.ok(f"{where}: datatypes {', '.join(sorted(writers))} written under {SPOOL} "
                  f"(volume {spool_volume}) and uploaded by pusher")
    # Metrics ports: canonical and unique.
    ports = {}
    for n in SERVICES:
        if n not in c:
            continue
        addresses = flag_values(c[n]["tokens"], "prometheusx.listen-address")
        if len(addresses) != 1:
            report.fail(where, f"{n} must set -prometheusx.listen-address once")
            continue
        port = int(addresses[0].rsplit(":", 1)[1])
        if port != METRICS_PORTS[n]:
            report.fail(where, f"{n} metrics on port {port}, not {METRICS_PORTS[n]}")
        if port in ports:
            report.fail(where, f"{n} and {ports[port]} both use port {port}")
        ports[port] = n
    report.ok(f"{where}: metrics ports " +
              ", ".join(f"{n} {p}" for p, n in sorted((p, n) for p, n in ports.items())))


# ---------------------------------------------------------------------------------------------
# Kubernetes.

def check_k8s(report, name, path, bin_dir, strict):
    docs = [d for d in yaml.safe_load_all(open(path)) if d is not None]
    kinds = {}
    for doc in docs:
        where = f"{name}: {doc.get('kind')}/{doc.get('metadata', {}).get('name')}"
        if doc.get("kind") not in KINDS:
            report.fail(where, "kind not known to this check (add its keys to KINDS)")
            continue
        unknown_keys(report, where, doc, KINDS[doc["kind"]])
        kinds.setdefault(doc["kind"], []).append(doc)
    config_maps = {d["metadata"]["name"] for d in kinds.get("ConfigMap", [])}
    accounts = {d["metadata"]["name"] for d in kinds.get("ServiceAccount", [])}
    for ds in kinds.get("DaemonSet", []):
        check_daemonset(report, f"{name}: DaemonSet/{ds['metadata']['name']}", ds, config_maps,
                        accounts, bin_dir, strict)


def check_daemonset(report, where, ds, config_maps, accounts, bin_dir, strict):
    spec = ds["spec"]
    template = spec["template"]
    pod = template["spec"]
    labels = template.get("metadata", {}).get("labels", {})
    for key, value in spec["selector"].get("matchLabels", {}).items():
        if labels.get(key) != value:
            report.fail(where, f"selector {key}={value} does not match the pod's labels")
    if template.get("metadata", {}).get("annotations", {}).get("prometheus.io/scrape") != "true":
        report.fail(where, "pod annotation prometheus.io/scrape is not \"true\"")
    strategy = spec.get("updateStrategy", {})
    if strategy.get("type") != "RollingUpdate" or \
            strategy.get("rollingUpdate", {}).get("maxUnavailable") != 2:
        report.fail(where, "updateStrategy must be RollingUpdate with maxUnavailable 2")
    grace = pod.get("terminationGracePeriodSeconds")
    if grace != 100:
        report.fail(where, f"terminationGracePeriodSeconds {grace}, not 100 as upstream")
    pod_security = pod.get("securityContext", {})
    if pod_security.get("runAsUser") != 65534 or pod_security.get("runAsGroup") != 65534:
        report.fail(where, "the pod must run as 65534:65534")
    host_network = pod.get("hostNetwork", False)
    sysctls = {s["name"]: s["value"] for s in pod_security.get("sysctls", [])}
    if not host_network and sysctls.get("net.ipv4.ip_unprivileged_port_start") != "80":
        report.fail(where, "without hostNetwork, the sysctl ip_unprivileged_port_start=80 lets "
                           "ndt-server bind 80/443")
    if pod.get("serviceAccountName") and pod["serviceAccountName"] not in accounts:
        report.fail(where, f"service account {pod['serviceAccountName']} is not rendered")

    volumes = {}
    for volume in pod.get("volumes", []):
        if volume["name"] in volumes:
            report.fail(where, f"volume {volume['name']} declared twice")
        volumes[volume["name"]] = volume
        if "configMap" in volume and volume["configMap"]["name"] not in config_maps:
            report.fail(where, f"volume {volume['name']}: ConfigMap "
                               f"{volume['configMap']['name']} is not rendered")
        if "hostPath" in volume and volume["hostPath"].get("type") not in (
                "Directory", "DirectoryOrCreate"):
            report.fail(where, f"volume {volume['name']}: hostPath type must be "
                               "Directory or DirectoryOrCreate")
    mounted = set()
    unit = Unit(where)
    names = set()
    init_script = None
    secrets = set()
    for kind in ("initContainers", "containers"):
        for container in pod.get(kind, []):
            cname = container["name"]
            cwhere = f"{where} {cname}"
            if cname in names:
                report.fail(where, f"container name {cname} used twice")
            names.add(cname)
            mounts = []
            paths = set()
            for mount in container.get("volumeMounts", []):
                if mount["name"] not in volumes:
                    report.fail(cwhere, f"mounts volume {mount['name']}, which is not declared")
                if mount["mountPath"] in paths:
                    report.fail(cwhere, f"two mounts at {mount['mountPath']}")
                paths.add(mount["mountPath"])
                mounted.add(mount["name"])
                mounts.append((mount["mountPath"], mount["name"], not mount.get("readOnly")))
            env_names = []
            for env in container.get("env", []):
                env_names.append(env["name"])
                ref = env.get("valueFrom", {})
                if "fieldRef" in ref and ref["fieldRef"]["fieldPath"] not in FIELD_PATHS:
                    report.fail(cwhere, f"env {env['name']}: unknown fieldPath "
                                        f"{ref['fieldRef']['fieldPath']}")
                if "secretKeyRef" in ref:
                    secrets.add(ref["secretKeyRef"]["name"])
                if ("value" in env) == ("valueFrom" in env):
                    report.fail(cwhere, f"env {env['name']} needs exactly one of value, valueFrom")
            if len(set(env_names)) != len(env_names):
                report.fail(cwhere, "an env variable is defined twice")
            command, args = container.get("command", []), container.get("args", [])
            for ref in VAR_REF.findall(" ".join(command + args)):
                if ref not in env_names:
                    report.fail(cwhere, f"$({ref}) is not an env variable of the container "
                                        "(Kubernetes would pass it literally)")
            security = container.get("securityContext", {})
            caps = security.get("capabilities", {})
            if "ALL" not in caps.get("drop", []):
                report.fail(cwhere, "does not drop ALL capabilities")
            extra = set(caps.get("add", [])) - ALLOWED_CAPS.get(cname, set())
            if extra and repo_of(container) not in UPSTREAM_IMAGES:
                report.fail(cwhere, f"adds capabilities {sorted(extra)}")
            if "NET_RAW" in caps.get("add", []) and security.get(
                    "allowPrivilegeEscalation") is False:
                report.fail(cwhere, "allowPrivilegeEscalation: false voids the image's file "
                                    "capability NET_RAW")
            user = security.get("runAsUser", pod_security.get("runAsUser"))
            if user == 0 and cname not in ROOT_ALLOWED:
                report.fail(cwhere, "runs as root")
            if security.get("privileged") and cname != "set-nftables-rules":
                report.fail(cwhere, "is privileged")
            if kind == "containers":
                if not container.get("resources", {}).get("requests"):
                    report.fail(cwhere, "has no resource requests")
            ports = [p["containerPort"] for p in container.get("ports", [])]
            unit.containers[cname] = {
                "image": container["image"], "mounts": mounts, "ports": ports,
                "tokens": invocation(OUR_IMAGES.get(repo_of(container), ("", ""))[1],
                                     command, args)[0],
            }
            if cname == "set-data-dir-perms":
                init_script = " ".join(command + args)
            check_flags(report, bin_dir, strict, cwhere, cname, container["image"], command,
                        args, env_names, shell_variables(command))
    for name in sorted(set(volumes) - mounted):
        report.fail(where, f"volume {name} is declared but never mounted")
    # Every declared containerPort once in the pod; each service's metrics port is declared by
    # the service itself or by the kube-rbac-proxy in front of it.
    declared = {}
    for cname, info in unit.containers.items():
        for port in info["ports"]:
            if port in declared:
                report.fail(where, f"containerPort {port} declared by {declared[port]} and {cname}")
            declared[port] = cname
    for service, port in METRICS_PORTS.items():
        if port not in declared:
            report.fail(where, f"{service}'s metrics port {port} is not a containerPort "
                               "(Prometheus would not scrape it)")
    # ndt-server's readiness follows lame duck.
    ndt = next((x for x in pod["containers"] if x["name"] == "ndt-server"), None)
    probe = (ndt or {}).get("readinessProbe", {})
    probe_text = " ".join(probe.get("exec", {}).get("command", [])) + str(probe.get("httpGet"))
    if "8000" not in probe_text or "/health" not in probe_text:
        report.fail(where, "ndt-server has no readiness probe on 127.0.0.1:8000/health")
    # pusher finishes its uploads before SIGKILL.
    pusher = unit.containers.get("pusher")
    if pusher and grace:
        waits = flag_values(pusher["tokens"], "sigterm_wait_time")
        if waits != [f"{grace - 60}s"]:
            report.fail(where, f"pusher -sigterm_wait_time={waits}: must be "
                               f"{grace - 60}s (grace period - 60s)")
    cross_check(report, unit, init_script)
    if secrets:
        report.ok(f"{where}: secrets it needs: " + ", ".join(sorted(
            secrets | {v["secret"]["secretName"] for v in volumes.values() if "secret" in v})))


def repo_of(container):
    return image_repo(container.get("image", ""))


# ---------------------------------------------------------------------------------------------
# Compose.

def compose_volumes(base, volumes):
    mounts = []
    for spec in volumes:
        parts = spec.split(":")
        source, target = parts[0], parts[1]
        mode = parts[2] if len(parts) > 2 else "rw"
        source = posixpath.normpath(posixpath.join(base, source)) if not \
            source.startswith("/") else source
        if source.startswith(base + "/"):
            source = "./" + posixpath.relpath(source, base)
        mounts.append((target, source, "ro" not in mode.split(",")))
    return mounts


def check_compose(report, path, env_path, bin_dir, strict, overrides=()):
    where = "compose " + "+".join(os.path.basename(p) for p in (path,) + tuple(overrides))
    text = open(path).read()
    env = {}
    for line in open(env_path):
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value
    for required in ("ORGANIZATION", "API_KEY", "IATA", "PROBABILITY", "INTERFACE_NAME",
                     "UPLINK", "INTERFACE_MAXRATE", "IPV4", "IPV6", "TYPE"):
        if required not in env:
            report.fail(where, f"{os.path.basename(env_path)} lacks {required}")
    texts = [text] + [open(o).read() for o in overrides]
    used = set()
    for t in texts:
        for match in re.finditer(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(:?-[^}]*)?\}", t):
            used.add(match.group(1))
            if match.group(1) not in env:
                report.fail(where, f"${{{match.group(1)}}} is not in "
                                   f"{os.path.basename(env_path)}")
    for key in sorted(set(env) - used - {"PROJECT", "LOCATE_URL", "AUTH_URL"}):
        report.fail(where, f"{os.path.basename(env_path)} sets {key}, which nothing uses")

    def interpolate(value):
        def sub(match):
            name, default = match.group(1), match.group(2)
            if env.get(name):
                return env[name]
            return default[2:] if default and default.startswith(":-") else \
                (default[1:] if default else "")
        value = re.sub(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(:?-[^}]*)?\}", sub, value)
        return value.replace("$$", "$")

    def load(p):
        return yaml.safe_load(open(p))

    doc = load(path)
    services = dict(doc.get("services", {}))
    for o in overrides:
        for sname, override in (load(o).get("services") or {}).items():
            merged = dict(services.get(sname, {}))
            merged.update(override)
            services[sname] = merged
    base = os.path.dirname(os.path.abspath(path))
    unit = Unit(where)
    init_script = None
    for sname, service in services.items():
        swhere = f"{where} {sname}"
        if service.get("network_mode") != "host":
            report.fail(swhere, "network_mode is not host")
        one_shot = service.get("restart") == "no"
        if not one_shot and service.get("restart") != "always":
            report.fail(swhere, "long-running services must have restart: always")
        if not one_shot and "healthcheck" not in service:
            report.fail(swhere, "has no healthcheck")
        profiles = service.get("profiles")
        if sname == "check-config":
            if profiles:
                report.fail(swhere, "must run in every profile (no profiles:)")
        elif not profiles or not set(profiles) <= {"ndt", "check-config"}:
            report.fail(swhere, f"profiles {profiles} (expected ndt and/or check-config)")
        for dep in service.get("depends_on", {}):
            if dep not in services:
                report.fail(swhere, f"depends on {dep}, which does not exist")
        image = interpolate(service.get("image", ""))
        repo = image_repo(image)
        if "ports" in service:
            report.fail(swhere, "ports: does nothing under host networking")
        user = str(service.get("user", "0"))
        if user.split(":")[0] in ("0", "root") and sname not in ROOT_ALLOWED and \
                repo not in UPSTREAM_IMAGES:
            report.fail(swhere, "runs as root")
        if repo not in UPSTREAM_IMAGES:
            if "ALL" not in service.get("cap_drop", []):
                report.fail(swhere, "does not drop ALL capabilities")
            extra = set(service.get("cap_add", [])) - ALLOWED_CAPS.get(sname, set())
            if extra:
                report.fail(swhere, f"adds capabilities {sorted(extra)}")
            if "NET_RAW" in service.get("cap_add", []) and any(
                    "no-new-privileges" in o for o in service.get("security_opt", [])):
                report.fail(swhere, "no-new-privileges voids the image's file capability NET_RAW")
        mounts = compose_volumes(base, [interpolate(v) for v in service.get("volumes", [])])
        for _, source, _ in mounts:
            if not source.startswith("./"):
                report.fail(swhere, f"bind source {source} is outside the project directory")
        for target in ("/check-config.sh", "/locate"):
            for mount in mounts:
                if mount[0] == target and not os.path.exists(os.path.join(base, mount[1])):
                    report.fail(swhere, f"{mount[1]} does not exist in the project")
        entrypoint = service.get("entrypoint") or []
        if isinstance(entrypoint, str):
            entrypoint = shlex.split(entrypoint)
        command = service.get("command") or []
        if isinstance(command, str):
            command = shlex.split(command)
        entrypoint = [interpolate(x) for x in entrypoint]
        command = [interpolate(x) for x in command]
        environment = service.get("environment") or {}
        env_names = list(environment) if isinstance(environment, dict) else \
            [e.split("=", 1)[0] for e in environment]
        image_path = OUR_IMAGES.get(repo, ("", ""))[1]
        # With an entrypoint, command is its arguments; without, command follows the image's.
        if entrypoint:
            full_command, args = entrypoint, command
        elif repo in SHELL_IMAGES:
            full_command, args = command, []
        else:
            full_command, args = [image_path], command
        unit.containers[sname] = {"image": image, "mounts": mounts, "ports": [],
                                  "tokens": invocation(image_path, full_command, args)[0]}
        if sname == "set-data-dir-perms":
            init_script = " ".join(command)
        check_flags(report, bin_dir, strict, swhere, sname, image, full_command, args,
                    [e for e in env_names if e not in env], shell_variables(full_command))
    cross_check(report, unit, init_script)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default="", help="Bazel output tree (bazel-bin)")
    parser.add_argument("--strict", action="store_true",
                        help="a binary that is not built fails the check")
    parser.add_argument("--k8s", action="append", default=[], metavar="NAME=FILE")
    parser.add_argument("--compose", action="append", default=[],
                        metavar="FILE[,OVERRIDE...]")
    parser.add_argument("--env", help="the compose project's env file")
    parser.add_argument("--src", default="", help="the source tree (workspace)")
    options = parser.parse_args()
    global SOURCE_DIR
    SOURCE_DIR = options.src
    report = Report()
    for item in options.k8s:
        name, _, path = item.partition("=")
        check_k8s(report, name, path, options.bin, options.strict)
    for item in options.compose:
        path, *overrides = item.split(",")
        check_compose(report, path, options.env, options.bin, options.strict, overrides)
    for line in report.pending:
        print(f"PENDING: {line}")
    if report.failures:
        print(f"check_manifests: {report.failures} problem(s)")
        return 1
    print("check_manifests: all checks passed" +
          (f" ({len(report.pending)} flag checks pending on binaries not built yet)"
           if report.pending else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
