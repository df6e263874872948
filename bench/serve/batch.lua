-- wrk script: POST the flat workload's 100,000 documents as one JSON-lines batch, again and again
-- (set BATCH_FILE to the unzipped bench/flat/facts.jsonl). Decisions/s = requests/s x 100,000.
wrk.method = "POST"
wrk.path = "/v1/evaluate/batch?now=2026-12-20T10:00:00Z"
wrk.headers["Content-Type"] = "application/x-ndjson"
local f = assert(io.open(os.getenv("BATCH_FILE"), "rb"))
wrk.body = f:read("*a")
f:close()
done = function(summary, latency, requests)
  io.write(string.format("non-200 answers: %d\n", summary.errors.status))
  io.write(string.format("batches/s: %.2f, mean batch latency: %.1f ms\n",
                         summary.requests / (summary.duration / 1e6), latency.mean / 1000))
end
