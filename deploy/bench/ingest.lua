-- wrk script for scenario S1 (device ingest): POST /api/v1/locations with a device key, batches of N fixes.
--
-- The simulator runs it for you (`scenario S1 --client wrk`, which also registers the devices and writes the
-- credentials file). By hand, against a server that has the devices registered:
--
--   wrk -t2 -c64 -d10s -s deploy/bench/ingest.lua http://127.0.0.1:5090/api/v1/locations -- creds.txt 1 2
--
-- Script arguments after `--`: a file with one device credential per line ("default/dev-1:key"), the fixes per
-- request (1 = unbatched, 20 = batched), and wrk's thread count (-t), so each thread owns its own devices.
-- The same script against the simulator's no-op endpoint gives the ceiling (the server needs no credentials there).
--
-- Every fix of a device is one millisecond after its previous one, starting a minute in the past, so nothing is a
-- duplicate, nothing goes backwards, and even 200k fixes/s stays inside the server's 5-minute future-skew limit.
-- `done` prints one JSON line (prefixed {"wrk":) that the simulator parses.

local next_id = 1
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end

local devices = {}
local stamps = {}
local cursor = 0
local batch = 1
local headers = {}

function init(args)
  local file = args[1]
  batch = tonumber(args[2] or "1")
  local threads = tonumber(args[3] or "1")
  local base = (os.time() - 60) * 1000
  local n = 0
  for line in io.lines(file) do
    if line ~= "" then
      if n % threads == (id - 1) then
        devices[#devices + 1] = line
        stamps[#devices] = base
      end
      n = n + 1
    end
  end
  if #devices == 0 then
    devices[1] = "none:none"
    stamps[1] = base
  end
end

function request()
  cursor = cursor % #devices + 1
  local d = cursor
  local parts = {}
  for i = 1, batch do
    local t = stamps[d] + 1
    stamps[d] = t
    local lat = 29.70 + (d % 97) * 0.001 + (t % 1000) * 0.000001
    local lon = -95.40 + (d % 89) * 0.001
    parts[i] = string.format('{"lat":%.6f,"lon":%.6f,"timestamp":%d,"accuracy":6.5,"speed":11.2,"heading":%d,"battery":87}',
      lat, lon, t, t % 360)
  end
  headers["Authorization"] = "Device " .. devices[d]
  headers["Content-Type"] = "application/json"
  return wrk.format("POST", nil, headers, '{"fixes":[' .. table.concat(parts, ",") .. ']}')
end

function done(summary, latency, requests)
  io.write(string.format(
    '{"wrk":{"requests":%d,"durationUs":%d,"bytes":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latencyUs":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}}}\n',
    summary.requests, summary.duration, summary.bytes,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
