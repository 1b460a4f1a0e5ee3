-- wrk script: rotate requests over the sessions given as arguments (one user, many sessions,
-- so no two connections queue on one session row), optionally wait a think time between a
-- connection's requests, and print one JSON line with throughput and percentiles.
--   wrk ... -s bench/report.lua URL -- <path> <think ms> <sessionid>...
local path, think, cookies, counter = "/", 0, {}, 0

function init(args)
  path = args[1]
  think = tonumber(args[2])
  for i = 3, #args do
    cookies[#cookies + 1] = args[i]
  end
end

function request()
  counter = counter + 1
  local session = cookies[(counter % #cookies) + 1]
  return wrk.format("GET", path, { ["Cookie"] = "sessionid=" .. session })
end

function delay()
  if think > 0 then
    -- Uniform between half and one and a half think times, like people reading a page.
    return math.random(math.floor(think / 2), think + math.floor(think / 2))
  end
  return 0
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
