#!/usr/bin/env bash
# Builds everything in build-asan with AddressSanitizer and UndefinedBehaviorSanitizer and runs
# the whole ctest suite; any sanitizer finding (in the tests or in the `refpol` processes they
# start) fails it. Debug with -O1: asserts stay on, and ASan's checks run on optimised code.
set -euo pipefail
cd "$(dirname "$0")/.."
build=build-asan
cmake -S . -B "$build" -DREFPOL_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" >/dev/null
cmake --build "$build" -j2
# ASan makes stack frames about 9 times larger (the checker's expr/value/binary recursion: 2 KB a
# nesting level in Release, 19 KB here), so the limit tests' 500 levels need more than the usual
# 8 MB of stack; 64 MB keeps the same headroom as a Release build has with 8 MB.
ulimit -s 65536
# halt_on_error: stop at the first finding (UBSan's is also compiled in: -fno-sanitize-recover).
export ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1:check_initialization_order=1:strict_init_order=1:detect_stack_use_after_return=0
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1
ctest --test-dir "$build" --output-on-failure -j2
