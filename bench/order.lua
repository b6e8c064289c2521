-- wrk script: POST one order per request, each with a different SKU mix. Lines carry no price (order-api charges the
-- catalogue's): SKU-0 … SKU-49 must be for sale, as bench/intake.sh and bench/e2e.sh set. Every request carries the
-- access token in ORDERLY_BENCH_TOKEN (./orderly token shop; the orders are its customer's, so the body names none).
--
-- With ORDERLY_BENCH_DELAY_MS set, each connection waits before each request for a random time with that mean
-- (exponentially distributed, so the many connections together send like independent clients, not in bursts), and
-- C connections offer about C * 1000 / (delay + latency) requests per second: a fixed rate, as long as latency stays
-- small against the delay (the achieved rate is printed, so check it). Latencies exclude the wait.
local counter = 0
local mean_pause = tonumber(os.getenv("ORDERLY_BENCH_DELAY_MS") or "0")
local token = assert(os.getenv("ORDERLY_BENCH_TOKEN"), "set ORDERLY_BENCH_TOKEN to an access token: ./orderly token shop")
local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}

delay = function()
  if mean_pause <= 0 then
    return 0
  end
  return math.floor(-math.log(1 - math.random()) * mean_pause + 0.5)
end
request = function()
  counter = counter + 1
  local body = string.format(
    '{"currency":"EUR","lines":[{"sku":"SKU-%d","quantity":%d},{"sku":"SKU-%d","quantity":1}]}',
    counter % 50, 1 + counter % 5, (counter + 7) % 50)
  return wrk.format("POST", "/orders", headers, body)
end

done = function(summary, latency, requests)
  local non2xx = summary.errors.status
  io.write(string.format("RESULT requests=%d duration_us=%d rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    non2xx, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
