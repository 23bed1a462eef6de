-- wrk script for gongzhi's benchmarks (bench/load.py writes the arguments).
--
-- wrk -s bench/wrk.lua URL -- METHOD PATH BODY_FILE HEADER_FILE
--   HEADER_FILE: one "Name: value" per line; lines "Cookie: …" are rotated per request, so
--   every connection's requests spread over several logged-in sessions.
--   BODY_FILE: "-" for none. A body containing {{n}} gets a number unique to the request
--   (thread and counter), used for Idempotency-Key so every POST files a new case.
-- done() prints one JSON line: requests, seconds, errors and latency percentiles in ms.

local method, path, body, fixed, cookies = "GET", "/", nil, {}, {}
local counter = 0
local threads = {}
thread_no = 0  -- a global: setup() sets it in each thread's own Lua state

local function read(name)
  local f = assert(io.open(name, "r"))
  local text = f:read("*a")
  f:close()
  return text
end

function setup(thread)
  thread:set("thread_no", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  method, path = args[1], args[2]
  if args[3] ~= "-" then body = read(args[3]) end
  for line in read(args[4]):gmatch("[^\n]+") do
    local name, value = line:match("^([^:]+):%s*(.*)$")
    if name == "Cookie" then table.insert(cookies, value) else fixed[name] = value end
  end
end

function request()
  counter = counter + 1
  local headers = {}
  for k, v in pairs(fixed) do headers[k] = v end
  if #cookies > 0 then headers["Cookie"] = cookies[(counter % #cookies) + 1] end
  local payload = nil
  local n = tostring(thread_no) .. "-" .. tostring(counter) .. "-" .. tostring(os.time())
  if body then
    payload = body:gsub("{{n}}", n)
    headers["Content-Type"] = "application/json"
  end
  if headers["Idempotency-Key"] then headers["Idempotency-Key"] = "bench-" .. n end
  return wrk.format(method, path, headers, payload)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "errors": %d, "status_errors": %d, ' ..
    '"p50": %.3f, "p95": %.3f, "p99": %.3f, "max": %.3f}\n',
    summary.requests, summary.duration / 1e6,
    e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
