#!/usr/bin/env bash
# First README command: install, build (Release) and run refpol on a bundled campaign.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j2
echo "== refpol check policies/old-friends/policy.refpol"
build/refpol check policies/old-friends/policy.refpol
