#!/usr/bin/env bash
# First README command: install what is missing, build (Release), then check the bundled seed
# campaign and evaluate it on example facts, printing the decision for a person.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j2
policy=policies/old-friends/policy.refpol
facts=policies/old-friends/facts/referrer_with_referrals.json
echo
echo "== build/refpol check $policy"
build/refpol check "$policy"
echo
echo "== build/refpol eval --policy $policy --facts $facts --explain --format text"
build/refpol eval --policy "$policy" --facts "$facts" --explain --format text
