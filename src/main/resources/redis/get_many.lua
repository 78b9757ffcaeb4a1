-- ARGV: tenant, name, key1, key2, ... Returns {-1} no bucket, or {1, rec1, rec2, ...} in the
-- order asked, '' where a key has no live entry. Each key counts as one read.
if not bucket(ARGV[1], ARGV[2]) then return {-1} end
local now = now_ms()
local keys = {}
for i = 3, #ARGV do keys[#keys + 1] = ARGV[i] end
local out = {1}
if #keys == 0 then return out end
local recs = redis.call('HMGET', D, unpack(keys))
for i = 1, #keys do
  local rec = recs[i]
  if rec and expired(rec, now) then rec = nil end
  out[#out + 1] = rec or ''
end
redis.call('HINCRBY', M, 'reads', #keys)
redis.call('HSET', M, 'accessed', now)
return out
