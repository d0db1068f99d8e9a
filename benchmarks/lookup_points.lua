-- wrk script for the lookup API benchmark (benchmarks/lookup_api.py): every request asks for a
-- point drawn at random from a file of "latitude,longitude" lines, all inside the territory.
--   wrk -t1 -c4 -d10s -s benchmarks/lookup_points.lua http://127.0.0.1:PORT -- POINTS_FILE DATE
-- At the end it prints one JSON line that benchmarks/lookup_api.py reads.

local points = {}
local day = "2026-01-15"
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("seed", thread_count)
end

function init(args)
  for line in io.lines(args[1]) do
    points[#points + 1] = line
  end
  if args[2] then
    day = args[2]
  end
  math.randomseed(os.time() * 100 + (seed or 0))
end

function request()
  local latitude, longitude = points[math.random(#points)]:match("([^,]+),([^,]+)")
  return wrk.format(
    "GET",
    "/api/v1/areas/lookup/?lat=" .. latitude .. "&lon=" .. longitude .. "&date=" .. day
  )
end

function done(summary, latency, requests)
  local non_2xx = summary.errors.status
  local socket_errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "non_2xx": %d, "socket_errors": %d, '
      .. '"p50_us": %d, "p90_us": %d, "p99_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, non_2xx, socket_errors,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean
  ))
end
