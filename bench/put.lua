-- wrk: PUT a 1 KiB JSON object to random keys of the bucket. Env: KEYS, BUCKET.
local keys = tonumber(os.getenv("KEYS") or "10000")
local bucket = os.getenv("BUCKET") or "bench"
local body = '{"data":"' .. string.rep("x", 1012) .. '"}'
local headers = { ["Content-Type"] = "application/json", ["X-Api-Key"] = os.getenv("API_KEY") }
math.randomseed(os.time() + 1)
request = function()
  return wrk.format("PUT", "/storage/kv/" .. bucket .. "/entries/k" .. math.random(0, keys - 1), headers, body)
end
