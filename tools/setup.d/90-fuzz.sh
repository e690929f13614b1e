#!/usr/bin/env bash
# Fuzzing and sanitizers (README "Testing"): Debian's clang-14 with its sanitizer and libFuzzer
# runtimes, the compiler of //third_party/clang used by --config=asan/ubsan/tsan/fuzz.
set -euo pipefail

PACKAGES=(clang-14 libclang-rt-14-dev llvm-14)
missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if ((${#missing[@]} > 0)); then
  echo "setup: installing ${missing[*]}" >&2
  sudo=()
  if [[ $(id -u) != 0 ]]; then sudo=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
