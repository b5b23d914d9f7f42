-- wrk script: door scanners. Each request scans the next ticket from the payload file, so the
-- first pass admits people and later passes are judged "already checked in".
-- Environment: PAYLOADS (file, one QR payload a line), TOKEN (a door token).
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end

function init(args)
  payloads = {}
  for line in io.lines(os.getenv("PAYLOADS")) do table.insert(payloads, line) end
  position = (id - 1) * math.floor(#payloads / 2)  -- wrk runs 2 threads: each starts on its own half
  headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. os.getenv("TOKEN")}
end

function request()
  position = position + 1
  local payload = payloads[(position % #payloads) + 1]
  return wrk.format("POST", nil, headers, '{"code":"' .. payload .. '"}')
end


-- done(): the figures the runner reads (bench/report.lua, shared by every script).
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "report.lua")
