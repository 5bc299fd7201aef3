-- wrk script for scripts/bench: POSTs GraphQL bodies, one JSON body a line
-- in the file BENCH_BODIES, each request with the next token of the file
-- BENCH_TOKENS_FILE (none: no Authorization header), round robin. kedja
-- limits each token's rate, so the load is spread over many tokens.
-- At the end it prints one BENCH line that scripts/bench reads.
local requests = {}
local i = 0
local threads = 0

local function lines(path)
  local t = {}
  if path == nil or path == "" then return t end
  for l in io.lines(path) do
    if l ~= "" then t[#t + 1] = l end
  end
  return t
end

function setup(thread)
  -- Each thread starts at a different request, so that two threads do
  -- not send the same token at the same moment.
  thread:set("offset", threads * 7919)
  threads = threads + 1
end

function init(args)
  local bodies = lines(os.getenv("BENCH_BODIES"))
  local tokens = lines(os.getenv("BENCH_TOKENS_FILE"))
  if #bodies == 0 then error("BENCH_BODIES names no file of bodies") end
  if #tokens == 0 then tokens = { "" } end
  local n = math.max(#bodies, #tokens)
  for k = 1, n do
    local h = { ["Content-Type"] = "application/json" }
    local tok = tokens[(k - 1) % #tokens + 1]
    if tok ~= "" then h["Authorization"] = "Bearer " .. tok end
    requests[k] = wrk.format("POST", wrk.path, h, bodies[(k - 1) % #bodies + 1])
  end
  i = (offset or 0) % #requests
end

function request()
  i = i % #requests + 1
  return requests[i]
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d non2xx=%d socket_errors=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
