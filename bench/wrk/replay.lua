-- Replays pre-built raw HTTP requests (bench/wrk/corpus.py) with wrk.
--
-- wrk -s replay.lua <url> -- <corpus prefix>: thread i reads "<prefix>.<i>",
-- a sequence of "<length>\n<raw request bytes>", and sends them in order,
-- wrapping around (and counting the wraps) if the run outlasts them.
-- Counts responses per status; prints one line "WRK_RESULT {json}" at the end.

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(args[1] .. "." .. id, "rb"))
  corpus = {}
  while true do
    local header = file:read("*l")
    if not header then break end
    corpus[#corpus + 1] = file:read(tonumber(header))
  end
  file:close()
  position = 0
  wraps = 0
  statuses = {}
end

function request()
  position = position + 1
  if position > #corpus then
    position = 1
    wraps = wraps + 1
  end
  return corpus[position]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts, total_wraps = {}, 0
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + n
    end
    total_wraps = total_wraps + thread:get("wraps")
  end
  local parts = {}
  for status, n in pairs(counts) do
    parts[#parts + 1] = string.format('"%d":%d', status, n)
  end
  local errors = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"mean_us":%.1f,'
      .. '"max_us":%d,"wraps":%d,"socket_errors":%d,"timeouts":%d,"statuses":{%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.mean, latency.max, total_wraps,
    errors.connect + errors.read + errors.write, errors.timeout, table.concat(parts, ",")))
end
