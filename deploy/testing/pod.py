#!/usr/bin/env python3
"""Runs the pod of a rendered DaemonSet under podman, container by container, as a kubelet would.

`podman kube play` cannot run it on these machines (its infra container cannot set its rlimits),
so this creates `podman pod create --infra=false` and one `podman run --pod` per container, all in
one network namespace (the pod's, made by the caller), from the manifest alone:

  * volumes: emptyDir -> a fresh directory; hostPath -> HOST_ROOT/<path> (DirectoryOrCreate makes
    it); secret -> --secret NAME=DIR; configMap -> the rendered ConfigMap's data; items mapped;
  * env: value, fieldRef (metadata.name/namespace, spec.nodeName, status.podIP, status.hostIP),
    secretKeyRef (a file in the secret's directory); $(VAR) expanded in command and args
    ($$ escapes), unresolved references left as they are;
  * securityContext: runAsUser/runAsGroup (container over pod), capabilities drop/add,
    privileged, allowPrivilegeEscalation: false -> no-new-privileges; pod sysctls are set once
    in the pod's network namespace;
  * init containers run one after the other and must exit 0, then the containers start in order;
    `wait-ready` runs each readiness probe (exec) in its container.

  pod.py up   --manifest FILE --name POD --netns PATH --pod-ip IP --node-name NAME
              --host-root DIR --state DIR [--secret NAME=DIR]...
  pod.py wait-ready --manifest FILE --name POD [--timeout S]
  pod.py probe --manifest FILE --name POD          (exit status of every readiness probe)
  pod.py down --name POD [--grace S]               (SIGTERM all, SIGKILL after the grace)
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time

import yaml


def log(message):
    print(f"pod.py: {message}", file=sys.stderr, flush=True)


def podman(*args, check=True, capture=False):
    result = subprocess.run(["podman", *args], text=True,
                            stdout=subprocess.PIPE if capture else None,
                            stderr=subprocess.PIPE if capture else None)
    if check and result.returncode != 0:
        raise SystemExit(f"pod.py: podman {' '.join(args[:3])}... failed "
                         f"({result.returncode}): {result.stderr if capture else ''}")
    return result


def load(manifest):
    docs = [d for d in yaml.safe_load_all(open(manifest)) if d]
    daemonsets = [d for d in docs if d["kind"] == "DaemonSet"]
    if len(daemonsets) != 1:
        raise SystemExit("pod.py: the manifest must hold exactly one DaemonSet")
    config_maps = {d["metadata"]["name"]: d for d in docs if d["kind"] == "ConfigMap"}
    return daemonsets[0], config_maps


def expand(text, env):
    """Kubernetes' $(VAR) expansion: $$ -> $, defined variables replaced, others kept."""
    def sub(match):
        if match.group(0) == "$$":
            return "$"
        name = match.group(1)
        return env[name] if name in env else match.group(0)
    return re.sub(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)", sub, text)


def write_items(source_files, target, items, mode=0o644):
    """Files of a secret/configMap volume: every key, or only `items` under their paths."""
    os.makedirs(target, exist_ok=True)
    mapping = {i["key"]: i["path"] for i in items} if items else {k: k for k in source_files}
    for key, path in mapping.items():
        if key not in source_files:
            raise SystemExit(f"pod.py: key {key} missing")
        dest = os.path.join(target, path)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, "wb") as f:
            f.write(source_files[key])
        os.chmod(dest, mode)


def prepare_volumes(pod, config_maps, options):
    paths = {}
    for volume in pod.get("volumes", []):
        name = volume["name"]
        if "emptyDir" in volume:
            path = os.path.join(options.state, "emptyDir", name)
            os.makedirs(path, exist_ok=True)
            os.chmod(path, 0o777)  # as the kubelet makes them
        elif "hostPath" in volume:
            path = os.path.join(options.host_root, volume["hostPath"]["path"].lstrip("/"))
            kind = volume["hostPath"].get("type", "")
            if kind == "DirectoryOrCreate":
                os.makedirs(path, exist_ok=True)
            elif kind == "Directory" and not os.path.isdir(path):
                raise SystemExit(f"pod.py: hostPath {path} (volume {name}) must exist")
        elif "secret" in volume:
            secret = volume["secret"]["secretName"]
            if secret not in options.secrets:
                raise SystemExit(f"pod.py: secret {secret} (volume {name}): pass --secret "
                                 f"{secret}=DIR")
            source = options.secrets[secret]
            files = {f: open(os.path.join(source, f), "rb").read() for f in os.listdir(source)
                     if os.path.isfile(os.path.join(source, f))}
            path = os.path.join(options.state, "secret", name)
            write_items(files, path, volume["secret"].get("items"), 0o444)
        elif "configMap" in volume:
            cm = config_maps.get(volume["configMap"]["name"])
            if cm is None:
                raise SystemExit(f"pod.py: ConfigMap {volume['configMap']['name']} not rendered")
            files = {k: v.encode() for k, v in cm.get("data", {}).items()}
            path = os.path.join(options.state, "configMap", name)
            write_items(files, path, volume["configMap"].get("items"), 0o444)
        else:
            raise SystemExit(f"pod.py: volume {name}: type not supported")
        paths[name] = path
    return paths


def container_env(container, options, namespace):
    fields = {"metadata.name": options.name, "metadata.namespace": namespace,
              "spec.nodeName": options.node_name, "status.podIP": options.pod_ip,
              "status.hostIP": options.pod_ip, "spec.serviceAccountName": "default"}
    env = {}
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = expand(item["value"], env)
            continue
        ref = item["valueFrom"]
        if "fieldRef" in ref:
            env[item["name"]] = fields[ref["fieldRef"]["fieldPath"]]
        elif "secretKeyRef" in ref:
            key = ref["secretKeyRef"]
            source = options.secrets.get(key["name"])
            if source is None:
                raise SystemExit(f"pod.py: env {item['name']}: pass --secret {key['name']}=DIR")
            env[item["name"]] = open(os.path.join(source, key["key"])).read()
        else:
            raise SystemExit(f"pod.py: env {item['name']}: valueFrom not supported")
    return env


def run_args(container, pod, volumes, options, detach):
    security = container.get("securityContext", {})
    pod_security = pod.get("securityContext", {})
    user = security.get("runAsUser", pod_security.get("runAsUser"))
    group = security.get("runAsGroup", pod_security.get("runAsGroup"))
    namespace = "default"
    env = container_env(container, options, namespace)
    args = ["run", "--pod", options.name, "--name", f"{options.name}-{container['name']}",
            f"--network=ns:{options.netns}", "--pull=never", "--hostname", options.name]
    args.append("-d" if detach else "--rm=false")
    if user is not None:
        args += ["--user", f"{user}:{group if group is not None else user}"]
    capabilities = security.get("capabilities", {})
    for cap in capabilities.get("drop", []):
        args.append(f"--cap-drop={cap.lower()}")
    for cap in capabilities.get("add", []):
        args.append(f"--cap-add={cap.lower()}")
    if security.get("privileged"):
        args.append("--privileged")
    if security.get("allowPrivilegeEscalation") is False:
        args.append("--security-opt=no-new-privileges")
    for mount in container.get("volumeMounts", []):
        suffix = ":ro" if mount.get("readOnly") else ""
        args += ["-v", f"{volumes[mount['name']]}:{mount['mountPath']}{suffix}"]
    for key, value in env.items():
        args += ["-e", f"{key}={value}"]
    command = [expand(c, env) for c in container.get("command", [])]
    cargs = [expand(a, env) for a in container.get("args", [])]
    if command:
        args += ["--entrypoint", json.dumps(command)]
    args.append(container["image"])
    return args + cargs


def up(options):
    ds, config_maps = load(options.manifest)
    pod = ds["spec"]["template"]["spec"]
    os.makedirs(options.state, exist_ok=True)
    volumes = prepare_volumes(pod, config_maps, options)
    netns = options.netns
    for sysctl in pod.get("securityContext", {}).get("sysctls", []):
        subprocess.run(["nsenter", f"--net={netns}", "sysctl", "-q", "-w",
                        f"{sysctl['name']}={sysctl['value']}"], check=True)
        log(f"sysctl {sysctl['name']}={sysctl['value']} in the pod's network namespace")
    if pod.get("dnsPolicy") == "None":
        log("dnsConfig ignored (the test makes no DNS lookups)")
    podman("pod", "rm", "-f", options.name, check=False, capture=True)
    podman("pod", "create", "--infra=false", "--name", options.name, capture=True)
    for container in pod.get("initContainers", []):
        log(f"init container {container['name']}")
        result = podman(*run_args(container, pod, volumes, options, detach=False), check=False)
        if result.returncode != 0:
            podman("logs", f"{options.name}-{container['name']}", check=False)
            raise SystemExit(f"pod.py: init container {container['name']} failed "
                             f"({result.returncode})")
    for container in pod["containers"]:
        log(f"container {container['name']} ({container['image']})")
        podman(*run_args(container, pod, volumes, options, detach=True), capture=True)
    log(f"pod {options.name} started: {len(pod.get('initContainers', []))} init containers, "
        f"{len(pod['containers'])} containers")


def probes(options):
    ds, _ = load(options.manifest)
    result = {}
    for container in ds["spec"]["template"]["spec"]["containers"]:
        probe = container.get("readinessProbe")
        if not probe:
            continue
        if "exec" not in probe:
            raise SystemExit("pod.py: only exec probes are supported")
        name = f"{options.name}-{container['name']}"
        code = podman("exec", name, *probe["exec"]["command"], check=False,
                      capture=True).returncode
        result[container["name"]] = code == 0
    return result


def wait_ready(options):
    deadline = time.time() + options.timeout
    ds, _ = load(options.manifest)
    names = [c["name"] for c in ds["spec"]["template"]["spec"]["containers"]]
    while True:
        running = {}
        for name in names:
            state = podman("inspect", "-f", "{{.State.Status}}", f"{options.name}-{name}",
                           check=False, capture=True).stdout.strip()
            running[name] = state
        dead = [n for n, s in running.items() if s not in ("running",)]
        ready = probes(options)
        if not dead and all(ready.values()):
            log(f"all {len(names)} containers running; ready: {', '.join(ready)}")
            return 0
        if time.time() > deadline:
            log(f"not ready after {options.timeout}s: states {running}, probes {ready}")
            return 1
        time.sleep(2)


def down(options):
    names = podman("ps", "-a", "--filter", f"pod={options.name}", "--format", "{{.Names}}",
                   check=False, capture=True).stdout.split()
    if names:
        # As the kubelet: SIGTERM to every container at once, SIGKILL after the grace period.
        podman("pod", "stop", "-t", str(options.grace), options.name, check=False, capture=True)
    podman("pod", "rm", "-f", options.name, check=False, capture=True)
    log(f"pod {options.name} removed")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["up", "wait-ready", "probe", "down"])
    parser.add_argument("--manifest")
    parser.add_argument("--name", required=True)
    parser.add_argument("--netns")
    parser.add_argument("--pod-ip")
    parser.add_argument("--node-name")
    parser.add_argument("--host-root")
    parser.add_argument("--state")
    parser.add_argument("--secret", action="append", default=[])
    parser.add_argument("--timeout", type=int, default=120)
    parser.add_argument("--grace", type=int, default=100)
    options = parser.parse_args()
    options.secrets = dict(s.split("=", 1) for s in options.secret)
    if options.action == "up":
        up(options)
    elif options.action == "wait-ready":
        return wait_ready(options)
    elif options.action == "probe":
        result = probes(options)
        print(json.dumps(result))
        return 0 if all(result.values()) else 1
    else:
        down(options)
    return 0


if __name__ == "__main__":
    sys.exit(main())
