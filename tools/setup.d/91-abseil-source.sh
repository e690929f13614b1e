#!/usr/bin/env bash
# The source of the installed Abseil (Debian's `abseil` source package, the exact version of
# libabsl-dev), unpacked under $MLAB_PEERS/src/abseil. --config=tsan compiles its synchronization
# library from it with -fsanitize=thread (@abseil_source, third_party/abseil_source.bzl): Debian's
# libabsl_synchronization is uninstrumented, so TSan could not see absl::Mutex's locks.
set -euo pipefail

dest=$MLAB_PEERS/src/abseil
version=$(dpkg-query -W -f='${Version}' libabsl-dev)
if [[ -f $dest/.mlab-version && $(cat "$dest/.mlab-version") == "$version" ]]; then
  exit 0
fi

sudo=()
if [[ $(id -u) != 0 ]]; then sudo=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
if ! command -v dpkg-source >/dev/null; then
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends dpkg-dev >/dev/null
fi

# apt-get source needs deb-src lines; add them beside the system's deb ones (same mirrors).
sources=/etc/apt/sources.list.d/mlab-deb-src.sources
if ! apt-get source --print-uris "abseil=$version" >/dev/null 2>&1; then
  tmp=$(mktemp)
  for file in /etc/apt/sources.list.d/*.sources; do
    [[ $file == "$sources" ]] || sed -n '/^Types:.*deb/,/^$/p' "$file"
    echo
  done | sed 's/^Types:.*/Types: deb-src/' >"$tmp"
  if grep -q '^URIs:' "$tmp"; then
    "${sudo[@]}" install -m 0644 "$tmp" "$sources"
  fi
  rm -f "$tmp"
  if [[ -f /etc/apt/sources.list ]] && ! grep -q '^deb-src' /etc/apt/sources.list; then
    grep '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' |
      "${sudo[@]}" tee /etc/apt/sources.list.d/mlab-deb-src.list >/dev/null || true
  fi
  "${sudo[@]}" apt-get update -qq
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get source -qq --download-only "abseil=$version" >/dev/null 2>&1) || {
  echo "setup: could not download Debian's abseil $version source" >&2
  exit 1
}
# apt checked the files against the archive's signed Release; dpkg-source lacks the keyring.
dpkg-source --no-check -x "$work"/abseil_*.dsc "$work/abseil" >/dev/null
"${sudo[@]}" mkdir -p "$MLAB_PEERS/src"
"${sudo[@]}" rm -rf "$dest"
"${sudo[@]}" mv "$work/abseil" "$dest"
echo "$version" | "${sudo[@]}" tee "$dest/.mlab-version" >/dev/null
echo "setup: Abseil $version source in $dest" >&2
