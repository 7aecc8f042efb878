-- wrk script: each request confirms one prepared link (tokens from the file named by BENCH_TOKENS);
-- with BENCH_THREADS threads, thread k takes tokens k, k+n, k+2n ...; past the end it starts over
-- (those answer 200 and store nothing).
local next_id = 0
local tokens = {}
local index = 0
local step = 1

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end

function init(args)
  for line in io.lines(os.getenv("BENCH_TOKENS")) do
    table.insert(tokens, line)
  end
  step = tonumber(os.getenv("BENCH_THREADS")) or 1
  index = id + 1
end

request = function()
  local token = tokens[index]
  index = index + step
  if index > #tokens then index = id + 1 end
  return wrk.format("POST", wrk.path, {["Content-Type"] = "application/json"}, '{"token":"' .. token .. '"}')
end
