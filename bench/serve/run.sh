#!/usr/bin/env bash
# Serving throughput on this machine: single evaluations over keep-alive HTTP (wrk), a 100,000
# document batch over HTTP (curl), and `refpol eval --jsonl` on 1,000,000 lines. Prints figures;
# asserts nothing (docs/performance.md records them). Needs wrk (`apt-get install wrk`) and a
# built `build/refpol` (Release for figures worth recording).
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${REFPOL:-build/refpol}
POLICY=bench/flat/policy.refpol
NOW=2026-12-20T10:00:00Z
DURATION=${DURATION:-10s}
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT

zcat bench/flat/facts.jsonl.gz > "$work/facts.jsonl"
for _ in $(seq 10); do cat "$work/facts.jsonl"; done > "$work/facts1m.jsonl"

serve() {  # serve THREADS: starts the server, sets $server and $port
  "$BIN" serve --policy "$POLICY" --port 0 --threads "$1" > "$work/out" 2> "$work/log" &
  server=$!
  for _ in $(seq 100); do grep -q listening "$work/out" 2>/dev/null && break; sleep 0.05; done
  port=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$work/out")
}

for setting in "8 8" "8 16" "32 32"; do
  set -- $setting
  serve "$1"
  echo "== single /v1/evaluate: $1 server threads, $2 keep-alive connections, wrk with 1 thread, $DURATION"
  wrk -t1 -c"$2" -d"$DURATION" -s bench/serve/evaluate.lua "http://127.0.0.1:$port/" | grep -E "Requests/sec|non-200|p50|p99"
  kill -TERM $server; wait $server || true
done

serve 8
echo "== batch: 100,000 documents as JSON lines in one POST /v1/evaluate/batch (5 runs, seconds)"
for _ in 1 2 3 4 5; do
  curl -s -o "$work/batch.out" -w "%{http_code} %{time_total}\n" -H 'Expect:' \
    -H 'Content-Type: application/x-ndjson' --data-binary @"$work/facts.jsonl" \
    "http://127.0.0.1:$port/v1/evaluate/batch?now=$NOW"
done
kill -TERM $server; wait $server || true
echo "decisions: $(wc -l < "$work/batch.out"), errors: $(grep -c '^{"error"' "$work/batch.out" || true)"

echo "== refpol eval --jsonl: 1,000,000 lines from a file to a file (3 runs)"
for _ in 1 2 3; do
  /usr/bin/time -f "%e s, peak %M KB" "$BIN" eval --policy "$POLICY" --jsonl --facts "$work/facts1m.jsonl" --now $NOW > "$work/eval.out"
done
echo "== refpol eval --jsonl: 1,000,000 lines through pipes (cat | refpol | cat)"
cat "$work/facts1m.jsonl" | /usr/bin/time -f "%e s, peak %M KB" "$BIN" eval --policy "$POLICY" --jsonl --now $NOW | cat > /dev/null
