#!/usr/bin/env bash
# Fills BUILD_DIR/fuzz/corpus/<target>/ with seed inputs taken from the repository's own files
# (policies, stdlib, bench, docs and their examples, golden inputs, facts, test files) plus a few
# HTTP requests. Generated at CI time, never committed. Usage: tests/fuzz/seed_corpora.sh BUILD_DIR
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
root=$(cd "$(dirname "$0")/../.." && pwd)
corpus=$(mkdir -p "$1" && cd "$1" && pwd)/fuzz/corpus
cd "$root"
for t in fuzz_policy fuzz_facts_json fuzz_facts_yaml fuzz_test_file fuzz_http; do mkdir -p "$corpus/$t"; done

# add TARGET < text: one seed named by its content's hash (so re-running adds nothing twice).
add() {
  local tmp
  tmp=$(mktemp)
  cat >"$tmp"
  if [ -s "$tmp" ]; then
    mv "$tmp" "$corpus/$1/seed-$(sha1sum "$tmp" | cut -c1-16)"
  else
    rm -f "$tmp"
  fi
}
add_files() {  # add_files TARGET FILE...
  local t=$1 f
  shift
  for f in "$@"; do add "$t" <"$f"; done
}
# The fenced blocks of one language in the Markdown files, one seed each.
add_fenced() {  # add_fenced TARGET LANGUAGE FILE...
  local t=$1 lang=$2 f tmpdir
  shift 2
  tmpdir=$(mktemp -d)
  for f in "$@"; do
    awk -v lang="$lang" -v dir="$tmpdir" -v base="$(basename "$f")" '
      $0 ~ "^ *```" lang "$" { inside = 1; n++; next }
      inside && /^ *```/ { inside = 0; close(out); next }
      inside { out = dir "/" base "." n; print >> out }
    ' "$f"
  done
  for f in "$tmpdir"/*; do [ -f "$f" ] && add "$t" <"$f"; done
  rm -rf "$tmpdir"
}
tracked() {  # repository files (git's view when there is one, so build dirs are never read)
  if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
    git -C "$root" ls-files --cached --others --exclude-standard -- "$@"
  else
    # The globs as one anchored regular expression: `*.refpol` -> `(.*\.refpol)$`.
    find . -path './build*' -prune -o -path './.git' -prune -o -type f -print | sed 's|^\./||' |
      grep -E "($(printf '%s|' "$@" | sed 's/\./\\./g; s/\*/.*/g; s/|$//'))\$" || true
  fi
}
mapfile -t markdown < <(tracked '*.md')
mapfile -t policies < <(tracked '*.refpol')
mapfile -t jsons < <(tracked '*.json' | grep -v '^schema/')
mapfile -t jsonls < <(tracked '*.jsonl')
mapfile -t yamls < <(tracked '*.yaml' '*.yml')
test_files=() facts_yamls=()
for f in "${yamls[@]}"; do
  if grep -q '^cases:' "$f"; then test_files+=("$f"); else facts_yamls+=("$f"); fi
done

# Policies: every .refpol (campaigns, stdlib, bench, tutorial, golden inputs) and the docs' examples.
add_files fuzz_policy "${policies[@]}"
add_fenced fuzz_policy refpol "${markdown[@]}"
add_fenced fuzz_policy refpol-error "${markdown[@]}"

# Facts: JSON files, each JSON line, a few lines of the benchmark workload, the docs' examples.
# JSON is YAML too, so the YAML loader gets the JSON seeds as well.
add_files fuzz_facts_json "${jsons[@]}"
for f in "${jsonls[@]}"; do
  while IFS= read -r line; do printf '%s\n' "$line" | add fuzz_facts_json; done <"$f"
done
if [ -f bench/flat/facts.jsonl.gz ]; then
  # `|| true`: head closing the pipe early makes zcat fail under pipefail.
  flat=$(zcat bench/flat/facts.jsonl.gz 2>/dev/null | head -n 20 || true)
  while IFS= read -r line; do printf '%s\n' "$line" | add fuzz_facts_json; done <<<"$flat"
fi
add_fenced fuzz_facts_json json "${markdown[@]}"
add_files fuzz_facts_yaml "${facts_yamls[@]}"
add_fenced fuzz_facts_yaml yaml "${markdown[@]}"
cp -n "$corpus/fuzz_facts_json"/* "$corpus/fuzz_facts_yaml"/

# Test files: every *.test.yaml and the fixtures' test files.
add_files fuzz_test_file "${test_files[@]}"

# HTTP: `METHOD /path?query` then the body, over the old-friends policy fuzz_http serves.
facts=policies/old-friends/facts
now=2026-12-20T10:00:00+08:00
for f in "$facts"/*.json; do
  { echo "POST /v1/evaluate"; cat "$f"; } | add fuzz_http
  { echo "POST /v1/evaluate?explain=true&now=2026-12-20T10:00:00+08:00"; cat "$f"; } | add fuzz_http
done
one=$(tr -d '\n' <"$facts/referrer_with_referrals.json")
two=$(tr -d '\n' <"$facts/budget_exhausted.json")
printf 'POST /v1/evaluate/batch\n[%s,%s]' "$one" "$two" | add fuzz_http
printf 'POST /v1/evaluate/batch?explain=1\n%s\n%s\n' "$one" "$two" | add fuzz_http
printf 'POST /v1/evaluate/batch?now=2026-12-20T10:00:00Z\n[]' | add fuzz_http
printf 'POST /v1/evaluate?now=%s\n{"referrer":1}' "$now" | add fuzz_http
printf 'POST /v1/evaluate\n{"referrer":' | add fuzz_http
for route in "GET /v1/policy" "GET /healthz" "HEAD /healthz" "GET /metrics" "POST /v1/reload" \
             "GET /v1/evaluate" "DELETE /v1/policy" "GET /nowhere"; do
  printf '%s\n' "$route" | add fuzz_http
done

for t in "$corpus"/*; do echo "$(basename "$t"): $(find "$t" -type f | wc -l) seeds"; done
