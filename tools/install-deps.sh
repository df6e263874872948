#!/usr/bin/env bash
# Installs the Debian packages refpol needs to build and test; does nothing for what is already there.
set -euo pipefail
pkgs=(g++ cmake make pkg-config tao-pegtl-dev libboost-dev libyaml-cpp-dev libgtest-dev libgmock-dev
      libbenchmark-dev libcli11-dev libsimdjson-dev libfmt-dev libhowardhinnant-date-dev tzdata zlib1g-dev
      libcpp-httplib-dev wrk clang libclang-rt-14-dev chromium)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
