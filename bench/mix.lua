-- wrk: 90% GET, 10% PUT of 1 KiB JSON objects at random keys of the bucket. Env: KEYS, BUCKET.
local keys = tonumber(os.getenv("KEYS") or "100000")
local bucket = os.getenv("BUCKET") or "bench"
local body = '{"data":"' .. string.rep("z", 1024 - 11) .. '"}'
local get_headers = { ["X-Api-Key"] = os.getenv("API_KEY") }
local put_headers = { ["Content-Type"] = "application/json", ["X-Api-Key"] = os.getenv("API_KEY") }
math.randomseed(os.time() + 2)
request = function()
  local path = "/storage/kv/" .. bucket .. "/entries/k" .. math.random(0, keys - 1)
  if math.random(1, 10) == 1 then
    return wrk.format("PUT", path, put_headers, body)
  end
  return wrk.format("GET", path, get_headers)
end
