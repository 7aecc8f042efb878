-- wrk script: each request confirms one prepared link (tokens from the file named by BENCH_TOKENS);
-- thread k of n takes tokens k, k+n, k+2n ...; past the end it starts over (answers 200, stores nothing).
local threads = {}
local tokens = {}
local index = 0
local step = 1

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(os.getenv("BENCH_TOKENS")) do
    table.insert(tokens, line)
  end
  step = #threads > 0 and #threads or 1
  index = id + 1
end

request = function()
  local token = tokens[index]
  index = index + step
  if index > #tokens then index = id + 1 end
  return wrk.format("POST", wrk.path, {["Content-Type"] = "application/json"}, '{"token":"' .. token .. '"}')
end
