-- wrk: K7 pages of 100 entries, each starting after a random key of the bucket (its cursor).
-- Env: PAGE_BUCKET, PAGE_KEYS (entries; keys are "k" .. index zero-padded to 7 digits).
local bucket = os.getenv("PAGE_BUCKET")
local count = tonumber(os.getenv("PAGE_KEYS"))
local headers = { ["X-Api-Key"] = os.getenv("API_KEY") }
local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

-- The service's cursor: the key in unpadded base64url.
local function cursor(s)
  local out = {}
  for i = 1, #s, 3 do
    local a, b, c = s:byte(i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local chars = b == nil and 2 or (c == nil and 3 or 4)
    for j = 1, chars do
      local shift = 18 - 6 * (j - 1)
      local d = math.floor(n / 2 ^ shift) % 64
      out[#out + 1] = alphabet:sub(d + 1, d + 1)
    end
  end
  return table.concat(out)
end

math.randomseed(os.time() + 3)
request = function()
  local after = string.format("k%07d", math.random(0, count - 101))
  return wrk.format("GET", "/storage/kv/" .. bucket .. "/entries?limit=100&cursor=" .. cursor(after), headers)
end
