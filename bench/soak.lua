-- wrk script for `bench/soak.ts`. Each line of PLOTLINE_REQUESTS is "<kind> GET /path" or
-- "<kind> POST /path <json body>"; every connection sends the lines in order, over and over, so
-- each kind's share of the requests sent is its share of the lines, whatever the answers' speed
-- (a fast 503 does not make its kind rarer or commoner).
--
-- wrk measures one latency for all requests; the soak needs one per kind (the cheap requests'
-- p99 apart from the SVM's). So it runs one connection per thread (-t N -c N): a thread's
-- request() and response() then alternate, and the time between them is that request's
-- latency, read from CLOCK_MONOTONIC through LuaJIT's ffi. done() prints one JSON line: per
-- kind the request count, status counts, 503s carrying Retry-After, and a latency histogram
-- (100 us buckets), from which soak.ts takes percentiles. Counts are kept in one flat table
-- keyed "kind n", "kind s <status>", "kind r", "kind h <bucket>": wrk copies a thread's tables
-- to done() one level deep only (nested ones fail in lua_next).
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } plotline_timespec;
  int clock_gettime(int clock, plotline_timespec *ts);
]]
local CLOCK_MONOTONIC = 1
local ts = ffi.new("plotline_timespec")
local function now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) * 1e6 + tonumber(ts.tv_nsec) / 1e3
end

local lines = {}
for line in io.lines(os.getenv("PLOTLINE_REQUESTS")) do lines[#lines + 1] = line end

local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  -- Formatted here, not at load: wrk sets the Host header for each thread before init.
  requests, kinds = {}, {}
  for _, line in ipairs(lines) do
    local kind, method, path, body = line:match("^(%S+) (%u+) (%S+) ?(.*)$")
    if kind then
      local headers = nil
      if body == "" then body = nil else headers = { ["Content-Type"] = "application/json" } end
      requests[#requests + 1] = wrk.format(method, path, headers, body)
      kinds[#kinds + 1] = kind
    end
  end
  -- Connections start at different places in the list, so that they do not move in step.
  counter = (id * 7919) % #requests
  stats = {}
  sent_kind, sent_at = nil, nil
end

function request()
  counter = counter % #requests + 1
  sent_kind, sent_at = kinds[counter], now_us()
  return requests[counter]
end

local function bump(key)
  stats[key] = (stats[key] or 0) + 1
end

function response(status, headers, body)
  if not sent_kind then return end
  local kind = sent_kind
  bump(kind .. " n")
  bump(kind .. " s " .. status)
  if status == 503 and (headers["Retry-After"] or headers["retry-after"]) then bump(kind .. " r") end
  bump(kind .. " h " .. math.floor((now_us() - sent_at) / 100))
  sent_kind = nil
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for key, v in pairs(t:get("stats")) do
      local kind, what, arg = key:match("^(%S+) (%a)%s?(%d*)$")
      local all = total[kind]
      if not all then
        all = { n = 0, statuses = {}, retry = 0, hist = {} }
        total[kind] = all
      end
      if what == "n" then all.n = all.n + v
      elseif what == "r" then all.retry = all.retry + v
      elseif what == "s" then all.statuses[arg] = (all.statuses[arg] or 0) + v
      else all.hist[arg] = (all.hist[arg] or 0) + v end
    end
  end
  local out = {}
  for kind, s in pairs(total) do
    local st, h = {}, {}
    for k, v in pairs(s.statuses) do st[#st + 1] = string.format('"%s":%d', k, v) end
    for k, v in pairs(s.hist) do h[#h + 1] = string.format('"%s":%d', k, v) end
    out[#out + 1] = string.format('"%s":{"requests":%d,"statuses":{%s},"retryAfter503":%d,"hist100us":{%s}}', kind, s.n, table.concat(st, ","), s.retry, table.concat(h, ","))
  end
  io.write(string.format(
    'SOAK {"seconds":%.1f,"socketErrors":%d,"timeouts":%d,"kinds":{%s}}\n',
    summary.duration / 1e6, summary.errors.connect + summary.errors.read + summary.errors.write, summary.errors.timeout, table.concat(out, ",")))
end
