-- wrk: PUT an entry with the three mapped fields of bench/search.sh to random keys. Env: KEYS,
-- BUCKET. The same body goes to an indexed and an unindexed bucket, for the write-cost ratio.
local keys = tonumber(os.getenv("KEYS") or "10000")
local bucket = os.getenv("BUCKET") or "idx"
local headers = { ["Content-Type"] = "application/json", ["X-Api-Key"] = os.getenv("API_KEY") }
math.randomseed(os.time() + 3)
request = function()
  local body = string.format('{"name":"user-%d","price":%d,"created":"2025-%02d-%02dT10:00:00Z","pad":"%s"}',
    math.random(0, 9999), math.random(0, 99999), math.random(1, 12), math.random(1, 28), string.rep("x", 64))
  return wrk.format("PUT", "/storage/kv/" .. bucket .. "/entries/w" .. math.random(0, keys - 1), headers, body)
end
