-- ARGV: tenant, name, key, ttlMs (-1 = the bucket default, 0 = none).
-- Sets the live entry's expiry anew: same value, same revision, no history.
-- Returns {-1} no bucket, {0} no such key, {1, rev, expiresMs}.
local b = bucket(ARGV[1], ARGV[2], 'ttl')
if not b then return {-1} end
local key = ARGV[3]
local now = now_ms()
local rec = live(key, now)
if not rec then return {0} end
local ttl = tonumber(ARGV[4])
if ttl < 0 then ttl = tonumber(b[3]) * 1000 end
local exp = 0
if ttl > 0 then exp = now + ttl end
local p = header(rec)
redis.call('HSET', D, key, string.sub(rec, 1, p[3]) .. exp .. string.sub(rec, p[4]))
if exp > 0 then
  redis.call('ZADD', X, exp, key)
  note_expiring()
else
  redis.call('ZREM', X, key)
end
redis.call('HSET', M, 'accessed', now)
return {1, rec_rev(rec), exp}
