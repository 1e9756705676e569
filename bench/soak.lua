-- wrk script for `bench/soak.ts`: requests cycle through the lines of PLOTLINE_REQUESTS
-- ("GET /path" or "POST /path <json body>"); done() prints one JSON line with the status counts,
-- how many 503s carried Retry-After, and the latency percentiles in microseconds.
local lines = {}
for line in io.lines(os.getenv("PLOTLINE_REQUESTS")) do lines[#lines + 1] = line end
local delay_ms = tonumber(os.getenv("PLOTLINE_DELAY_MS") or "0")

local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  -- Formatted here, not at load: wrk sets the Host header for each thread before init.
  requests = {}
  for _, line in ipairs(lines) do
    local method, path, body = line:match("^(%u+) (%S+) ?(.*)$")
    if method then
      local headers = nil
      if body == "" then body = nil else headers = { ["Content-Type"] = "application/json" } end
      requests[#requests + 1] = wrk.format(method, path, headers, body)
    end
  end
  counter = id * 7919
  statuses = {}
  retry_after = 0
end

function request()
  counter = counter + 1
  return requests[(counter % #requests) + 1]
end

if delay_ms > 0 then
  function delay() return delay_ms end
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 503 and (headers["Retry-After"] or headers["retry-after"]) then retry_after = retry_after + 1 end
end

function done(summary, latency, requests)
  local total = {}
  local retry = 0
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses")) do total[k] = (total[k] or 0) + v end
    retry = retry + t:get("retry_after")
  end
  local parts = {}
  for k, v in pairs(total) do parts[#parts + 1] = string.format('"%d":%d', k, v) end
  io.write(string.format(
    'SOAK {"requests":%d,"seconds":%.1f,"statuses":{%s},"retryAfter503":%d,"socketErrors":%d,"timeouts":%d,"p50us":%d,"p90us":%d,"p99us":%d,"maxus":%d}\n',
    summary.requests, summary.duration / 1e6, table.concat(parts, ","), retry,
    summary.errors.connect + summary.errors.read + summary.errors.write, summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
