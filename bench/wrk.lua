-- wrk script of bench/http-load.ts: request shape and limits come from the environment,
-- responses are counted per status code, and done() prints one "BENCH_JSON {...}" line.
--   WRK_METHOD        GET or POST
--   WRK_BODY_FILE     file holding the request body ("" for none)
--   WRK_CONTENT_TYPE  Content-Type header ("" for none)
--   WRK_MAX_REQUESTS  stop each thread after its share of this many responses (0: no cap)
--   WRK_THREADS       the -t given to wrk (for that share)

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  wrk.method = os.getenv("WRK_METHOD") or "GET"
  local body_file = os.getenv("WRK_BODY_FILE") or ""
  if body_file ~= "" then
    local f = assert(io.open(body_file, "rb"))
    wrk.body = f:read("*a")
    f:close()
  end
  local ct = os.getenv("WRK_CONTENT_TYPE") or ""
  if ct ~= "" then wrk.headers["Content-Type"] = ct end
  -- every thread (WRK_THREADS, the -t of http-load.ts) gets an equal share of the cap
  local nthreads = tonumber(os.getenv("WRK_THREADS") or "1")
  max_responses = math.floor(tonumber(os.getenv("WRK_MAX_REQUESTS") or "0") / nthreads)
  counts = {}
  seen = 0
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
  seen = seen + 1
  if max_responses > 0 and seen >= max_responses then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local all = {}
  for _, t in ipairs(threads) do
    local c = t:get("counts") or {}
    for code, n in pairs(c) do all[code] = (all[code] or 0) + n end
  end
  local parts = {}
  for code, n in pairs(all) do table.insert(parts, string.format('"%d": %d', code, n)) end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"seconds": %.6f, "responses": %d, "status": {%s}, "errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, "p50_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.duration / 1e6, summary.requests, table.concat(parts, ", "),
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
