#!/usr/bin/env bash
# Makes a fresh Debian 12 machine ready for OnnxReg, installing only what is missing:
#  1. libstdc++ from GCC 13+ (symbol GLIBCXX_3.4.32), which TorchSharp 0.107's native library needs.
#     Debian 12 ships GCC 12's runtime, so we take libstdc++6 from Debian 13 (trixie), pinned low so
#     nothing else comes from trixie unless asked for (docs/01-getting-started.md, "Requirements").
#  2. The full Fashion-MNIST from Debian's dataset-fashion-mnist package (optional: the embedded
#     subset needs nothing; pass --no-dataset to skip).
# Idempotent: on a machine that already has both it changes nothing and says so.
set -euo pipefail

want_dataset=1
for arg in "$@"; do
  case "$arg" in
    --no-dataset) want_dataset=0 ;;
    -h|--help) echo "usage: tools/setup.sh [--no-dataset]"; exit 0 ;;
    *) echo "setup.sh: unknown option '$arg' (allowed: --no-dataset)" >&2; exit 2 ;;
  esac
done

say() { echo "setup: $*"; }
sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo_cmd="sudo"; else
    say "not root and no sudo: cannot install packages"; exit 1; fi
fi

if ! command -v dotnet >/dev/null 2>&1; then
  say "the .NET SDK (dotnet) is not on PATH; install .NET SDK 10 first (https://dot.net)"; exit 1
fi

libstdcxx=""
for candidate in /usr/lib/x86_64-linux-gnu/libstdc++.so.6 /usr/lib/aarch64-linux-gnu/libstdc++.so.6 /usr/lib64/libstdc++.so.6 /usr/lib/libstdc++.so.6; do
  if [ -e "$candidate" ]; then libstdcxx="$candidate"; break; fi
done

has_glibcxx_3_4_32() { [ -n "$libstdcxx" ] && grep -aq 'GLIBCXX_3\.4\.32' "$libstdcxx"; }

apt_updated=0
apt_update_once() {
  if [ "$apt_updated" -eq 0 ]; then $sudo_cmd apt-get update -qq; apt_updated=1; fi
}

if has_glibcxx_3_4_32; then
  say "libstdc++ already provides GLIBCXX_3.4.32 ($libstdcxx): nothing to do"
else
  if ! command -v apt-get >/dev/null 2>&1; then
    say "libstdc++ lacks GLIBCXX_3.4.32 and this is not a Debian-like system: install the C++ runtime of GCC 13 or newer"; exit 1
  fi
  . /etc/os-release
  if [ "${ID:-}" != "debian" ]; then
    say "libstdc++ lacks GLIBCXX_3.4.32 on ${PRETTY_NAME:-this system}: install the C++ runtime of GCC 13 or newer (e.g. libstdc++6 from your distribution's newer release)"; exit 1
  fi
  say "libstdc++ lacks GLIBCXX_3.4.32: installing libstdc++6 from Debian 13 (trixie), pinned at priority 100"
  echo "deb http://deb.debian.org/debian trixie main" | $sudo_cmd tee /etc/apt/sources.list.d/onnxreg-trixie.list >/dev/null
  printf 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n' | $sudo_cmd tee /etc/apt/preferences.d/onnxreg-trixie-low >/dev/null
  apt_updated=0
  apt_update_once
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq -t trixie libstdc++6 >/dev/null
  if has_glibcxx_3_4_32; then say "installed: $(dpkg-query -W -f='libstdc++6 ${Version}' libstdc++6)"; else
    say "libstdc++6 from trixie was installed but GLIBCXX_3.4.32 is still missing"; exit 1; fi
fi

if [ "$want_dataset" -eq 1 ]; then
  if [ -f /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz ]; then
    say "full Fashion-MNIST already installed (/usr/share/datasets/fashion-mnist): nothing to do"
  elif command -v apt-get >/dev/null 2>&1; then
    say "installing the full Fashion-MNIST (Debian package dataset-fashion-mnist)"
    apt_update_once
    if DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq dataset-fashion-mnist >/dev/null; then
      say "installed /usr/share/datasets/fashion-mnist"
    else
      say "could not install dataset-fashion-mnist; the embedded subset still works (--data embedded)"
    fi
  else
    say "no apt-get: the full Fashion-MNIST is optional; the embedded subset works without it"
  fi
fi
say "ready"
