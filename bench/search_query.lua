-- wrk: K11 searches that each return a 10-hit page, with random terms. Env: BUCKET, QUERY
-- (exact: a name; prefix: a name prefix; range: a price range of 1,000; daterange: a day; get: K8
-- of a random entry, the baseline of the same HTTP and Redis path without a search).
local bucket = os.getenv("BUCKET") or "idx"
local query = os.getenv("QUERY") or "exact"
local headers = { ["X-Api-Key"] = os.getenv("API_KEY") }
math.randomseed(os.time() + 7)
local entries = tonumber(os.getenv("ENTRIES") or "1000000")
request = function()
  local q
  if query == "get" then
    return wrk.format("GET", string.format("/storage/kv/%s/entries/e%07d", bucket, math.random(0, entries - 1)), headers)
  elseif query == "exact" then
    q = "field=name&search=user-" .. math.random(0, 9999)
  elseif query == "prefix" then
    q = "field=name&search_type=prefix&search=user-" .. math.random(10, 99)
  elseif query == "range" then
    local lo = math.random(0, 98999)
    q = "field=price&search_type=range&min=" .. lo .. "&max=" .. (lo + 999)
  else
    local m, d = math.random(1, 12), math.random(1, 27)
    q = string.format("field=created&search_type=range&min=2025-%02d-%02d&max=2025-%02d-%02d", m, d, m, d + 1)
  end
  return wrk.format("GET", "/storage/kv/" .. bucket .. "/search?limit=10&" .. q, headers)
end
