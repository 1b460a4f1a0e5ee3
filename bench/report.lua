-- wrk script: rotate requests over the sessions given as arguments (one user, many sessions,
-- so no two connections queue on one session row) and print one JSON line with throughput and
-- percentiles. No think time here: wrk's latencies with a delay are wrong (bench/load.py times
-- people itself).
--   wrk ... -s bench/report.lua URL -- <path> <sessionid>...
local path, cookies, counter = "/", {}, 0

function init(args)
  path = args[1]
  for i = 2, #args do
    cookies[#cookies + 1] = args[i]
  end
end

function request()
  counter = counter + 1
  local session = cookies[(counter % #cookies) + 1]
  return wrk.format("GET", path, { ["Cookie"] = "sessionid=" .. session })
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, ' ..
    '"max_ms": %.2f, "non_2xx": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
