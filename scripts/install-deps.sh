#!/usr/bin/env bash
# Installs exactly the Debian 12 packages hyseis needs that are missing. Idempotent.
# Works as root or through sudo. Nothing is downloaded outside apt.
set -euo pipefail
PKGS=(
  build-essential cmake pkg-config ccache git
  libdeal.ii-dev libpetsc-real-dev libtorch-dev libtrilinos-kokkos-dev
  libeigen3-dev libhdf5-dev libhdf5-openmpi-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libyaml-cpp-dev libcli11-dev libfmt-dev libspdlog-dev nlohmann-json3-dev
  libfftw3-dev libmseed-dev libpng-dev libxgboost-dev
  libopenblas0-pthread libopenblas-dev
  openmpi-bin
  python3-sklearn
)
missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PKGS[@]} packages present"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
echo "install-deps: installing ${#missing[@]} missing packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: done"
