-- wrk script for bench/webhooks.py: POSTs the same signed Jira delivery body, each request with a
-- delivery id of its own (so each is stored, not answered as a duplicate).
-- Environment: WRK_BODY (the body's file), WRK_SIGNATURE (its X-Hub-Signature).
local counter = 0
local prefix = ""
-- Seeded, so a second run against the same store sends new ids, not duplicates of the first's.
math.randomseed(os.time())

function setup(thread)
  thread:set("thread_id", tostring(math.random(1, 1000000000)))
end

function init(args)
  local file = io.open(os.getenv("WRK_BODY"), "rb")
  wrk.method = "POST"
  wrk.body = file:read("*a")
  file:close()
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["X-Hub-Signature"] = os.getenv("WRK_SIGNATURE")
  prefix = "wrk-" .. thread_id .. "-"
end

function request()
  counter = counter + 1
  wrk.headers["X-Atlassian-Webhook-Identifier"] = prefix .. counter
  return wrk.format()
end
