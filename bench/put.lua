-- wrk: PUT a 1 KiB JSON object (the loaded values' size) to random keys of the bucket. Env: KEYS, BUCKET.
local keys = tonumber(os.getenv("KEYS") or "100000")
local bucket = os.getenv("BUCKET") or "bench"
local body = '{"data":"' .. string.rep("y", 1024 - 11) .. '"}'
local headers = { ["Content-Type"] = "application/json", ["X-Api-Key"] = os.getenv("API_KEY") }
math.randomseed(os.time() + 1)
request = function()
  return wrk.format("PUT", "/storage/kv/" .. bucket .. "/entries/k" .. math.random(0, keys - 1), headers, body)
end
