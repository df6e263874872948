-- wrk script: POST one flat-benchmark facts document to /v1/evaluate (keep-alive).
wrk.method = "POST"
wrk.path = "/v1/evaluate?now=2026-12-20T10:00:00Z"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"referrer":{"id":"u0","segment":"loyal","last_order_days_ago":20,"total_spend":900,"order_count":4,"qualified_referrals":3},"referee":{"is_new_customer":true,"first_order_amount":120,"first_order_refunded":false,"days_since_first_order":9}}'

-- Any answer but 200 is counted and reported: a benchmark of errors is no benchmark.
local failures = 0
function response(status, headers, body)
  if status ~= 200 then failures = failures + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("non-200 answers: %d\n", summary.errors.status))
  for _, p in ipairs({50, 90, 99, 99.9}) do
    io.write(string.format("p%g latency: %.3f ms\n", p, latency:percentile(p) / 1000))
  end
end
