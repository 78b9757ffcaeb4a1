-- wrk: GET random keys of the loaded bucket. Env: KEYS (count), BUCKET.
local keys = tonumber(os.getenv("KEYS") or "100000")
local bucket = os.getenv("BUCKET") or "bench"
local headers = { ["X-Api-Key"] = os.getenv("API_KEY") }
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/storage/kv/" .. bucket .. "/entries/k" .. math.random(0, keys - 1), headers)
end
