-- wrk: the soak's mixed load on one bucket. Env: KEYS, BUCKET, API_KEY.
-- 55% GET and 20% PUT of the loaded keys (never deleted, so a GET never misses), 10% a page of
-- the list, 15% a put/delete cycle on keys of the thread's own: the delete of a key comes LAG
-- cycle steps after its put, long after that put was answered, so it never misses either.
local keys = tonumber(os.getenv("KEYS") or "10000")
local bucket = os.getenv("BUCKET") or "soak"
local body = '{"data":"' .. string.rep("x", 1012) .. '"}'
local auth = { ["X-Api-Key"] = os.getenv("API_KEY") }
local json = { ["Content-Type"] = "application/json", ["X-Api-Key"] = os.getenv("API_KEY") }
local LAG = 500
local counter = 1

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

local cycle = 0
function init(args)
  math.randomseed(os.time() * 100 + (tid or 0))
end

local function entry(key)
  return "/storage/kv/" .. bucket .. "/entries/" .. key
end

request = function()
  local r = math.random(1, 100)
  if r <= 55 then
    return wrk.format("GET", entry("k" .. math.random(0, keys - 1)), auth)
  elseif r <= 75 then
    return wrk.format("PUT", entry("k" .. math.random(0, keys - 1)), json, body)
  elseif r <= 85 then
    return wrk.format("GET", "/storage/kv/" .. bucket .. "/entries?limit=100&prefix=k" .. math.random(1, 9), auth)
  end
  cycle = cycle + 1
  local n = math.floor(cycle / 2)
  if cycle % 2 == 0 then
    return wrk.format("PUT", entry("t" .. tid .. "-" .. n), json, body)
  elseif n > LAG then
    return wrk.format("DELETE", entry("t" .. tid .. "-" .. (n - LAG)), auth)
  end
  return wrk.format("GET", entry("k" .. math.random(0, keys - 1)), auth)
end
