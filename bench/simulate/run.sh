#!/usr/bin/env bash
# Simulation throughput: generate a seeded 1,000,000-event history and replay it through the seed
# 000 campaign, printing events/s and peak memory (docs/performance.md records the figures).
# Use a Release build: REFPOL_BUILD=build-rel (default build).
set -euo pipefail
cd "$(dirname "$0")/../.."
B=${REFPOL_BUILD:-build}
EVENTS=${EVENTS:-1000000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$B/refpol-gen-history" --events "$EVENTS" --seed 42 > "$work/history.jsonl"
/usr/bin/time -f "%e s wall, %U s user, %S s sys, peak %M KB" -o "$work/time" \
  "$B/refpol" simulate --policy policies/old-friends/policy.refpol --events "$work/history.jsonl" --out "$work/out"
read -r wall _ _ user _ _ sys _ _ _ peak _ < "$work/time"
echo "simulate: $EVENTS events in $wall s wall ($user s user, $sys s sys): $(awk -v n="$EVENTS" -v u="$user" -v s="$sys" 'BEGIN{printf "%.0f", n/(u+s)}') events per CPU second, peak $peak KB"
grep -o '"evaluations": [0-9]*' "$work/out/summary.json"
