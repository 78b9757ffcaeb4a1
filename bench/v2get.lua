-- wrk: GET random records of the loaded store through the /v2 dialect. Env: KEYS, STORE_ID.
local keys = tonumber(os.getenv("KEYS") or "100000")
local store = os.getenv("STORE_ID")
local headers = { ["X-Api-Key"] = os.getenv("API_KEY") }
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/v2/key-value-stores/" .. store .. "/records/k" .. math.random(0, keys - 1), headers)
end
