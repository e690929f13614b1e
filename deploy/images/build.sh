#!/usr/bin/env bash
# Builds the suite's container images with podman, without any image registry:
#   localhost/mlab-cpp/base:bookworm    Debian bookworm from debootstrap, imported (base/README.md)
#   localhost/mlab-cpp/<image>:TAG      base + one of our binaries and the shared libraries it
#                                       needs that the base lacks (<image>/Containerfile)
# Images: uuid (create-uuid-prefix-file), tcp-info, traceroute-caller (+ scamper),
# packet-headers, uuid-annotator, pusher, ndt-server, nftables (the physical pod's firewall init).
#
#   deploy/images/build.sh [--tag TAG] [--rebuild-base] [--no-bazel] [IMAGE...]
#     --tag TAG       tag of the service images (default dev, as the manifests use)
#     --rebuild-base  debootstrap the base again (else reused when present)
#     --no-bazel      use the binaries already in the output tree instead of building them
#   BAZEL_BUILD_FLAGS  extra flags for bazel build, e.g. "-c opt" for production images
#   CONTAINERS_CONF    podman configuration (default deploy/podman/containers.conf)
#
# Runs as root (debootstrap, rootful podman). A service whose package does not exist yet is
# skipped with a message.
set -euo pipefail

images_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$images_dir/../.." && pwd)
cache=${MLAB_IMAGE_CACHE:-/var/tmp/mlab-deploy-images}
tag=dev
rebuild_base=0
use_bazel=1
requested=()
while (($#)); do
  case "$1" in
    --tag) tag=$2; shift 2 ;;
    --rebuild-base) rebuild_base=1; shift ;;
    --no-bazel) use_bazel=0; shift ;;
    -h | --help) sed -n '2,18p' "${BASH_SOURCE[0]}"; exit 0 ;;
    -*) echo "build.sh: unknown option $1" >&2; exit 2 ;;
    *) requested+=("$1"); shift ;;
  esac
done
if [[ $(id -u) != 0 ]]; then
  echo "build.sh: run as root (debootstrap and rootful podman)" >&2
  exit 1
fi
export CONTAINERS_CONF=${CONTAINERS_CONF:-$repo/deploy/podman/containers.conf}

BASE=localhost/mlab-cpp/base:bookworm
ALL=(uuid nftables tcp-info traceroute-caller packet-headers uuid-annotator pusher ndt-server)
# image -> Bazel package of its binary (empty: no binary of ours), path in the image.
declare -A PACKAGE=(
  [uuid]=tools/create-uuid-prefix-file [nftables]=""
  [tcp-info]=services/tcp-info [traceroute-caller]=services/traceroute-caller
  [packet-headers]=services/packet-headers [uuid-annotator]=services/uuid-annotator
  [pusher]=services/pusher [ndt-server]=services/ndt-server
)
declare -A IN_IMAGE=(
  [uuid]=/create-uuid-prefix-file [tcp-info]=/bin/tcp-info
  [traceroute-caller]=/traceroute-caller [packet-headers]=/packet-headers
  [uuid-annotator]=/uuid-annotator [pusher]=/pusher [ndt-server]=/ndt-server
)
((${#requested[@]})) || requested=("${ALL[@]}")

log() { echo "build.sh: $*" >&2; }

# ---- base ------------------------------------------------------------------------------------
# The base comes from the host's own Debian mirror (its apt sources): the host is bookworm too,
# and its sources are the ones known to be reachable.
debian_mirror() {
  cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
    2>/dev/null | awk '($1 == "URIs:" || $1 == "deb") && $2 !~ /-security/ {print $2; exit}' || true
}

build_base() {
  local rootfs="$cache/rootfs" mirror
  mirror=$(debian_mirror)
  [[ -n $mirror ]] || { log "no Debian mirror in the host's apt sources"; exit 1; }
  log "debootstrap bookworm (minbase) from $mirror into $rootfs"
  rm -rf "$rootfs"
  mkdir -p "$cache"
  debootstrap --variant=minbase --include=ca-certificates,libcap2-bin,netbase \
    bookworm "$rootfs" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
    { tail -20 "$cache/debootstrap.log" >&2; exit 1; }
  # bookworm-updates and bookworm-security as the host gets them.
  rm -f "$rootfs/etc/apt/sources.list"
  cp -a /etc/apt/sources.list.d/. "$rootfs/etc/apt/sources.list.d/"
  [[ -f /etc/apt/sources.list ]] && cp /etc/apt/sources.list "$rootfs/etc/apt/sources.list"
  cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
  log "upgrading to bookworm-updates and bookworm-security"
  chroot "$rootfs" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive chroot "$rootfs" apt-get -y -qq upgrade >/dev/null
  chroot "$rootfs" apt-get clean
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/{doc,man,info,locale}/* \
    "$rootfs"/var/log/*.log "$rootfs"/var/cache/debconf/*-old
  : >"$rootfs/etc/resolv.conf"
  ln -sf bash "$rootfs/bin/sh"
  log "importing $BASE"
  tar --numeric-owner --xattrs -C "$rootfs" -c . |
    podman import --change 'CMD ["/bin/bash"]' \
      --change 'LABEL org.opencontainers.image.description="Debian bookworm (debootstrap minbase) for the M-Lab C++ suite"' \
      - "$BASE" >"$cache/import.log" 2>&1 || { cat "$cache/import.log" >&2; exit 1; }
  rm -rf "$rootfs"
}

if ((rebuild_base)) || ! podman image exists "$BASE"; then
  build_base
else
  log "$BASE present (--rebuild-base to make it again)"
fi

# ---- binaries --------------------------------------------------------------------------------
cd "$repo"
targets=()
for image in "${requested[@]}"; do
  [[ -v PACKAGE[$image] ]] || { echo "build.sh: unknown image $image (one of: ${ALL[*]})" >&2; exit 2; }
  package=${PACKAGE[$image]}
  [[ -n $package ]] || continue
  if [[ -f $package/BUILD.bazel ]]; then
    targets+=("//$package:$(basename "${IN_IMAGE[$image]}")")
  fi
done
# shellcheck disable=SC2086
bin=$(bazel info ${BAZEL_BUILD_FLAGS:-} bazel-bin 2>/dev/null) || bin="$repo/bazel-bin"
if ((use_bazel)) && ((${#targets[@]})); then
  # Stamped: ndt-server's archives and git_short_commit metric name the commit (lib/version).
  log "bazel build --config=stamp ${BAZEL_BUILD_FLAGS:-} ${targets[*]}"
  # shellcheck disable=SC2086
  bazel build --config=stamp ${BAZEL_BUILD_FLAGS:-} "${targets[@]}" >&2
fi

# ---- service images --------------------------------------------------------------------------
# /bin, /lib, /sbin are symlinks into /usr in bookworm: stage under the real directories, or the
# COPY would replace the symlinks with directories.
usr_path() {
  local dir
  dir=$(realpath -m "$(dirname "$1")")
  echo "$dir/$(basename "$1")"
}

base_root=$(podman image mount "$BASE")
trap 'podman image unmount "$BASE" >/dev/null 2>&1 || true' EXIT

# Copies a program and the shared libraries it needs that the base does not have identically.
stage() {
  local ctx=$1 source=$2 target=$3
  local dest
  dest=$ctx/rootfs$(usr_path "$target")
  mkdir -p "$(dirname "$dest")"
  cp -L "$source" "$dest"
  chmod 0755 "$dest"
  local lib path
  for lib in $(ldd "$source" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'); do
    path=$(usr_path "$lib")
    if [[ -e $base_root$path ]] && cmp -s "$base_root$path" "$lib"; then continue; fi
    mkdir -p "$ctx/rootfs$(dirname "$path")"
    cp -L "$lib" "$ctx/rootfs$path"
  done
}

built=()
skipped=()
revision=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
for image in "${requested[@]}"; do
  package=${PACKAGE[$image]}
  ctx="$cache/context/$image"
  rm -rf "$ctx"
  mkdir -p "$ctx/rootfs"
  if [[ -n $package ]]; then
    binary="$bin/$package/$(basename "${IN_IMAGE[$image]}")"
    if [[ ! -f $package/BUILD.bazel ]]; then
      skipped+=("$image (//$package does not exist yet)")
      continue
    fi
    if [[ ! -x $binary ]]; then
      skipped+=("$image ($binary is not built)")
      continue
    fi
    stage "$ctx" "$binary" "${IN_IMAGE[$image]}"
  fi
  case "$image" in
    nftables) stage "$ctx" /usr/sbin/nft /usr/sbin/nft ;;
    traceroute-caller)
      [[ -x /usr/bin/scamper ]] || { echo "build.sh: scamper missing: apt-get install scamper" >&2; exit 1; }
      stage "$ctx" /usr/bin/scamper /usr/local/bin/scamper ;;
    ndt-server)
      # The speed-test page, served from WORKDIR / as -htmldir=html/mlab (the DaemonSet's flag).
      mkdir -p "$ctx/rootfs/html/mlab"
      cp -rL "$repo/services/ndt-server/html/." "$ctx/rootfs/html/mlab/" ;;
    uuid-annotator)
      asnames="$repo/../shared/testdata/uuid-annotator/data/asnames.ipinfo.csv"
      mkdir -p "$ctx/rootfs/data"
      if [[ -f $asnames ]]; then cp "$asnames" "$ctx/rootfs/data/"; else
        log "warning: $asnames not found; /data/asnames.ipinfo.csv left empty"
        : >"$ctx/rootfs/data/asnames.ipinfo.csv"
      fi ;;
  esac
  name="localhost/mlab-cpp/$image:$tag"
  log "podman build $name"
  podman build --pull=never -q -f "$images_dir/$image/Containerfile" \
    --label "org.opencontainers.image.revision=$revision" \
    --label "org.opencontainers.image.title=$image" \
    -t "$name" "$ctx" >/dev/null
  built+=("$name")
done

echo
echo "images built: ${built[*]:-none}"
if ((${#skipped[@]})); then
  printf 'skipped: %s\n' "${skipped[@]}"
fi
podman images --filter reference='localhost/mlab-cpp/*' \
  --format '{{.Repository}}:{{.Tag}}  {{.Size}}' | sort
