-- wrk script: door scanners. Each request scans the next ticket from the payload file, so the
-- first pass admits people and later passes are judged "already checked in".
-- Environment: PAYLOADS (file, one QR payload a line), TOKEN (a door token).
local threads = {}
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  table.insert(threads, thread)
  next_id = next_id + 1
end

function init(args)
  payloads = {}
  for line in io.lines(os.getenv("PAYLOADS")) do table.insert(payloads, line) end
  position = (id - 1) * math.floor(#payloads / 2)  -- wrk runs 2 threads: each starts on its own half
  statuses = {}
  results = {}
  headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. os.getenv("TOKEN")}
end

function request()
  position = position + 1
  local payload = payloads[(position % #payloads) + 1]
  return wrk.format("POST", nil, headers, '{"code":"' .. payload .. '"}')
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  local result = body:match('"result":"([%w_]+)"')
  if result then results[result] = (results[result] or 0) + 1 end
end

function done(summary, latency, requests)
  local totals, verdicts = {}, {}
  for _, thread in ipairs(threads) do
    for code, count in pairs(thread:get("statuses")) do totals[code] = (totals[code] or 0) + count end
    for result, count in pairs(thread:get("results")) do verdicts[result] = (verdicts[result] or 0) + count end
  end
  for code, count in pairs(totals) do io.write(string.format("STATUS %d %d\n", code, count)) end
  for result, count in pairs(verdicts) do io.write(string.format("RESULT %s %d\n", result, count)) end
  io.write(string.format("LATENCY p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000))
  io.write(string.format("SUMMARY requests=%d duration_s=%.2f\n", summary.requests, summary.duration / 1e6))
end
