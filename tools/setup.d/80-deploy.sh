#!/usr/bin/env bash
# Tools of deploy/ (validation of the manifests, container images and container tests):
#   yamllint, kubectl (kustomize), python3-yaml       offline manifest checks (deploy/validate)
#   podman, runc, docker-compose, debootstrap         images and container tests (deploy/images,
#                                                     deploy/test-containers.sh)
#   scamper, nftables, libcap2-bin, openssl           copied into images (traceroute-caller,
#                                                     nftables), setcap, test certificates
#   $MLAB_PEERS/node/node_modules/kubernetes-models   Kubernetes schema validation (npm)
#   $MLAB_PEERS/node/node_modules/js-yaml
# Idempotent: every step checks first, so a second run takes well under a second.
set -euo pipefail

peers=${MLAB_PEERS:-/usr/local/lib/mlab-peers}
sudo=()
if [[ $(id -u) != 0 ]]; then sudo=(sudo); fi

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

missing=()
for package in yamllint python3-yaml podman runc docker-compose debootstrap scamper nftables \
  libcap2-bin openssl; do
  installed "$package" || missing+=("$package")
done
# kubectl: any kubectl with kustomize built in will do (google-cloud-cli's `kubectl` package is the
# better one, see deploy/README.md); otherwise Debian's `kubernetes-client`.
if ! command -v kubectl >/dev/null 2>&1; then
  if apt-cache policy kubectl 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    missing+=(kubectl)
  else
    missing+=(kubernetes-client)
  fi
fi

if ((${#missing[@]} > 0)); then
  echo "setup.d/deploy: installing ${missing[*]} (Debian)" >&2
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

node_packages=("kubernetes-models@5.1.0" "js-yaml@4")
if [[ ! -f "$peers/node/node_modules/kubernetes-models/package.json" ||
      ! -f "$peers/node/node_modules/js-yaml/package.json" ]]; then
  echo "setup.d/deploy: installing ${node_packages[*]} (npm)" >&2
  mkdir -p "$peers/node"
  [[ -f "$peers/node/package.json" ]] || echo '{"name":"mlab-peers","private":true}' >"$peers/node/package.json"
  (cd "$peers/node" && npm install --no-audit --no-fund --silent "${node_packages[@]}" >&2)
fi
echo "setup.d/deploy: deploy tools ready" >&2
