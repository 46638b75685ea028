-- scripts/bench soak: mixed traffic against xredline, one connection per wrk thread so each
-- thread is a sequential client with its own sign-in: captcha -> login -> me/health/greeter ->
-- refresh (rotation) -> ... Paced by delay() to about BENCH_SOAK_RATE requests/s in total.
-- Environment: BENCH_SOAK_RATE, BENCH_SOAK_THREADS, BENCH_SOAK_USER, BENCH_SOAK_PASSWORD,
-- BENCH_SOAK_CAPTCHA (the fixed captcha code), BENCH_WRK_OUT (JSON summary).
local rate = tonumber(os.getenv("BENCH_SOAK_RATE") or "100")
local nthreads = tonumber(os.getenv("BENCH_SOAK_THREADS") or "4")
local user = os.getenv("BENCH_SOAK_USER")
local password = os.getenv("BENCH_SOAK_PASSWORD")
local code = os.getenv("BENCH_SOAK_CAPTCHA")
local out = os.getenv("BENCH_WRK_OUT")

-- one cycle of 20 requests: 2 sign-ins (captcha + login), 1 extra image captcha, 2 refreshes,
-- 6 /me, 5 health probes, 4 greetings
local plan = {
  "captcha", "login", "me", "health", "greeter", "me", "refresh", "me", "health", "greeter",
  "captcha_only", "health", "captcha", "login", "me", "greeter", "health", "me", "refresh", "greeter",
}
local kinds = { "captcha", "captcha_only", "login", "refresh", "me", "health", "greeter" }

local json = { ["Content-Type"] = "application/json" }
local step = 0
local pending = nil
local captcha_id = nil
local access = nil
local refresh = nil
counts = {}
errors = {}
statuses = {}

all_threads = {}

function setup(thread)
  table.insert(all_threads, thread)
end

function init(args)
  for _, k in ipairs(kinds) do
    counts[k] = 0
    errors[k] = 0
  end
end

function delay()
  return math.floor(1000 * nthreads / rate)
end

local function next_kind()
  step = step % #plan + 1
  local kind = plan[step]
  if (kind == "me" or kind == "refresh") and access == nil then
    return "captcha"
  end
  if kind == "login" and captcha_id == nil then
    return "captcha"
  end
  return kind
end

function request()
  local kind = next_kind()
  pending = kind
  if kind == "captcha" or kind == "captcha_only" then
    return wrk.format("GET", "/api/v1/auth/captcha?captcha_type=image")
  elseif kind == "login" then
    local body = string.format('{"username":"%s","password":"%s","captcha_id":"%s","captcha_code":"%s"}',
      user, password, captcha_id, code)
    captcha_id = nil
    return wrk.format("POST", "/api/v1/auth/login", json, body)
  elseif kind == "refresh" then
    return wrk.format("POST", "/api/v1/auth/refresh", json, string.format('{"refresh_token":"%s"}', refresh))
  elseif kind == "me" then
    return wrk.format("GET", "/api/v1/auth/me", { ["Authorization"] = "Bearer " .. access })
  elseif kind == "health" then
    return wrk.format("GET", "/healthz/live")
  end
  return wrk.format("GET", "/helloworld/soak" .. step)
end

function response(status, headers, body)
  local kind = pending
  if kind == nil then
    return
  end
  counts[kind] = counts[kind] + 1
  if status < 200 or status > 299 then
    errors[kind] = errors[kind] + 1
    statuses[kind .. ":" .. status] = (statuses[kind .. ":" .. status] or 0) + 1
    if kind == "refresh" or kind == "me" then
      access = nil -- sign in again
    end
    return
  end
  if kind == "captcha" then
    captcha_id = string.match(body, '"captcha_id"%s*:%s*"([^"]+)"')
  elseif kind == "login" or kind == "refresh" then
    access = string.match(body, '"access_token"%s*:%s*"([^"]+)"')
    refresh = string.match(body, '"refresh_token"%s*:%s*"([^"]+)"')
  end
end

function done(summary, latency, requests)
  local total_counts, total_errors, codes = {}, {}, {}
  for _, k in ipairs(kinds) do
    total_counts[k] = 0
    total_errors[k] = 0
  end
  for _, t in ipairs(all_threads or {}) do
    local c, e, s = t:get("counts"), t:get("errors"), t:get("statuses")
    for _, k in ipairs(kinds) do
      total_counts[k] = total_counts[k] + (c[k] or 0)
      total_errors[k] = total_errors[k] + (e[k] or 0)
    end
    for k, v in pairs(s) do
      codes[k] = (codes[k] or 0) + v
    end
  end
  local parts = {}
  for _, k in ipairs(kinds) do
    parts[#parts + 1] = string.format('"%s":{"requests":%d,"errors":%d}', k, total_counts[k], total_errors[k])
  end
  local code_parts = {}
  for k, v in pairs(codes) do
    code_parts[#code_parts + 1] = string.format('"%s":%d', k, v)
  end
  local e = summary.errors
  local text = string.format(
    '{"requests":%d,"duration_us":%d,"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d,'
      .. '"non2xx":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,"by_kind":{%s},"statuses":{%s}}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(99), latency.max, table.concat(parts, ","), table.concat(code_parts, ","))
  if out ~= nil and out ~= "" then
    local f = assert(io.open(out, "w"))
    f:write(text)
    f:close()
  else
    io.write(text)
  end
end
