-- wrk script: every request registers a new attendee (unique e-mail per thread and request).
-- An argument (wrk … -- LABEL) sets the addresses apart from those of another wrk run.
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end

function init(args)
  counter = 0
  label = args[1] or "run"
end

function request()
  counter = counter + 1
  local body = string.format('{"name":"Bench %d-%d","email":"bench-%s-%d-%d@example.org"}', id, counter, label, id, counter)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end


-- done(): the figures the runner reads (bench/report.lua, shared by every script).
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "report.lua")
