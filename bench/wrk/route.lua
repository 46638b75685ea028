-- scripts/bench http: one route, optionally with a bearer token, and a done() hook that writes
-- wrk's exact latency percentiles (its HdrHistogram, microseconds) as one JSON object.
-- Environment: BENCH_WRK_OUT (where the JSON goes), BENCH_WRK_TOKEN (optional access token).
local out = os.getenv("BENCH_WRK_OUT")
local token = os.getenv("BENCH_WRK_TOKEN")

if token ~= nil and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

function done(summary, latency, requests)
  if out == nil or out == "" then
    return
  end
  local e = summary.errors
  local f = assert(io.open(out, "w"))
  f:write(string.format(
    '{"requests":%d,"duration_us":%d,"bytes":%d,"connect_errors":%d,"read_errors":%d,"write_errors":%d,'
      .. '"timeouts":%d,"non2xx":%d,"mean_us":%.1f,"p50_us":%d,"p90_us":%d,"p99_us":%d,"p999_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.timeout, e.status,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max))
  f:close()
end
