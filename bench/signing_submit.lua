-- wrk script: each request submits a signature with a new address (ward and name vary too).
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  thread_id = id
end

request = function()
  counter = counter + 1
  local body = string.format(
    '{"name":"Bench Signer %d","email":"b%d-%d@bench.example","ward":"Ward %d","public":false}',
    counter, thread_id, counter, (counter % 30) + 1)
  return wrk.format("POST", wrk.path, {["Content-Type"] = "application/json"}, body)
end
