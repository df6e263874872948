#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/, clang) in build-fuzz, seeds their corpora from the
# repository's files and runs each for FUZZ_SECONDS (default 30). Any crash, leak or timeout makes
# the script fail with libFuzzer's exit code; the input is kept in build-fuzz/fuzz/artifacts/.
# FUZZ_TARGETS="fuzz_policy fuzz_http" runs only those. docs/reliability.md has the details.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-30}
targets=(${FUZZ_TARGETS:-fuzz_policy fuzz_facts_json fuzz_facts_yaml fuzz_test_file fuzz_http})
build=build-fuzz
if ! command -v clang++ >/dev/null || ! compgen -G '/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a' >/dev/null; then
  echo "fuzz.sh: needs clang and libFuzzer (apt-get install clang libclang-rt-14-dev; tools/install-deps.sh does)" >&2
  exit 2
fi
CC=clang CXX=clang++ cmake -S . -B "$build" -DREFPOL_FUZZ=ON -DREFPOL_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j2 --target "${targets[@]}"
tests/fuzz/seed_corpora.sh "$build"

dict_of() {
  case "$1" in
    fuzz_policy) echo policy ;;
    fuzz_facts_json) echo facts_json ;;
    fuzz_facts_yaml) echo facts_yaml ;;
    fuzz_test_file) echo test_file ;;
    fuzz_http) echo http ;;
  esac
}
mkdir -p "$build/fuzz/artifacts" "$build/fuzz/logs"
status=0
for t in "${targets[@]}"; do
  log="$build/fuzz/logs/$t.log"
  rc=0
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
    "$build/fuzz/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -detect_leaks=1 \
    -dict="tests/fuzz/dict/$(dict_of "$t").dict" -artifact_prefix="$build/fuzz/artifacts/$t-" \
    -print_final_stats=1 "$build/fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
  # The last status line: executions, coverage (cov), features (ft), corpus size, speed, memory.
  stats=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
  echo "$t: ${stats:-no stats line} (exit $rc)"
  if [ "$rc" -ne 0 ]; then
    echo "---- $t failed; the end of $log:" >&2
    { grep -vE '^#[0-9]+|^\s+NEW_FUNC' "$log" || true; } | tail -n 60 >&2
    [ "$status" -ne 0 ] || status=$rc
  fi
done
exit "$status"
