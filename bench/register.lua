-- wrk script: every request registers a new attendee (unique e-mail per thread and request).
local threads = {}
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  table.insert(threads, thread)
  next_id = next_id + 1
end

function init(args)
  counter = 0
  statuses = {}
end

function request()
  counter = counter + 1
  local body = string.format('{"name":"Bench %d-%d","email":"bench-%d-%d@example.org"}', id, counter, id, counter)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    for code, count in pairs(s) do totals[code] = (totals[code] or 0) + count end
  end
  for code, count in pairs(totals) do io.write(string.format("STATUS %d %d\n", code, count)) end
  io.write(string.format("LATENCY p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000))
  io.write(string.format("SUMMARY requests=%d duration_s=%.2f\n", summary.requests, summary.duration / 1e6))
end
