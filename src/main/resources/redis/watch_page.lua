-- A page of a watch's opening replay. ARGV: tenant, name, prefix, after ('' = from the start),
-- limit (keys), mode: 's' the live entries, 'h' every kept revision of each key (deleted keys'
-- tombstones included), oldest first, then its live entry.
-- Returns {-1} no bucket, or {1, key to continue after ('' = done), then key, op, record triples}
-- with op 'p' a put and 'd' a delete (its record a tombstone).
if not bucket(ARGV[1], ARGV[2]) then return {-1} end
local now = now_ms()
local prefix, after, limit, mode = ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6]
local to = '+'
if prefix ~= '' then to = '(' .. prefix .. '\255' end
local resumed = after ~= '' and after >= prefix
local out = {1, ''}

local function add_live(key, rec)
  if not expired(rec, now) then
    out[#out + 1] = key
    out[#out + 1] = 'p'
    out[#out + 1] = rec
  end
end

if mode == 's' then
  local from = '[' .. prefix
  if resumed then from = '(' .. after end
  local keys = redis.call('ZRANGEBYLEX', K, from, to, 'LIMIT', 0, limit)
  if #keys == 0 then return out end
  local recs = redis.call('HMGET', D, unpack(keys))
  for i, key in ipairs(keys) do
    if recs[i] then add_live(key, recs[i]) end
  end
  if #keys == limit then out[2] = keys[#keys] end
  return out
end

-- History: the next key is the lesser of the next live key and the next key with history.
local cur = ''
if resumed then cur = after end
for _ = 1, limit do
  local kfrom, hfrom = '[' .. prefix, '[' .. prefix
  if cur ~= '' then
    kfrom = '(' .. cur
    hfrom = '[' .. cur .. '\1'
  end
  local key = redis.call('ZRANGEBYLEX', K, kfrom, to, 'LIMIT', 0, 1)[1]
  local member = redis.call('ZRANGEBYLEX', H, hfrom, to, 'LIMIT', 0, 1)[1]
  if member then
    local hkey = string.sub(member, 1, string.find(member, '\0', 1, true) - 1)
    if not key or hkey < key then key = hkey end
  end
  if not key then return out end
  local off = #key + 18
  for _, m in ipairs(hist_of(key)) do
    out[#out + 1] = key
    out[#out + 1] = string.sub(m, off, off)
    out[#out + 1] = string.sub(m, off + 1)
  end
  local rec = redis.call('HGET', D, key)
  if rec then add_live(key, rec) end
  cur = key
end
out[2] = cur
return out
