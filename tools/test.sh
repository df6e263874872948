#!/usr/bin/env bash
# Second README command: install what is missing, build and run the whole test suite through
# ctest, then the same suite under AddressSanitizer and UndefinedBehaviorSanitizer
# (tools/sanitize.sh) and every libFuzzer target for FUZZ_SECONDS, 30 by default (tools/fuzz.sh).
# REFPOL_QUICK=1 stops after the first part, for a quick run while working.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
stage() { echo "== tools/test.sh: $* ($(date -u +%H:%M:%S))"; }
stage "build and ctest (RelWithDebInfo, -Werror)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DREFPOL_WERROR=ON >/dev/null
cmake --build build -j2
ctest --test-dir build --output-on-failure -j2
if [ "${REFPOL_QUICK:-0}" = 1 ]; then
  stage "REFPOL_QUICK=1: sanitizers and fuzzing skipped"
  exit 0
fi
stage "the suite under ASan and UBSan (tools/sanitize.sh)"
tools/sanitize.sh
stage "fuzzing, ${FUZZ_SECONDS:-30} s a target (tools/fuzz.sh)"
tools/fuzz.sh
stage "done"
