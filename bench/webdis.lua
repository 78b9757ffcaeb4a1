-- wrk: webdis, an HTTP gateway to Redis written in C, as a reference: GET (WEBDIS_OP=GET) or SET
-- with a 1 KiB body (WEBDIS_OP=SET) of random keys wd:0 .. wd:KEYS-1. No auth: webdis has none
-- to match the service's API key.
local keys = tonumber(os.getenv("KEYS") or "100000")
local op = os.getenv("WEBDIS_OP") or "GET"
local body = '{"data":"' .. string.rep("y", 1024 - 11) .. '"}'
math.randomseed(os.time() + 2)
request = function()
  local key = "wd:" .. math.random(0, keys - 1)
  if op == "SET" then return wrk.format("PUT", "/SET/" .. key, nil, body) end
  return wrk.format("GET", "/GET/" .. key)
end
