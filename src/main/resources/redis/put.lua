-- ARGV: tenant, name, key, value, contentType, contentEncoding, ttlMs (-1 = bucket default,
-- 0 = none), If-Match, If-None-Match.
-- Returns {-1} no bucket, {-2, current rev} precondition failed, {-3, max} value too large,
-- {-4, max} bucket full, {1, rev, expiresMs}.
local b = bucket(ARGV[1], ARGV[2], 'history', 'ttl', 'maxb', 'maxv')
if not b then return {-1} end
local history, bttl = tonumber(b[3]), tonumber(b[4])
local maxb, maxv = tonumber(b[5]), tonumber(b[6])
local key, value = ARGV[3], ARGV[4]
local now = now_ms()
reap(now, 16)
local old = live(key, now)
local cur = old and rec_rev(old) or 0
if not cond_ok(cur, ARGV[8], ARGV[9]) then return {-2, cur} end
local size = #value
if maxv >= 0 and size > maxv then return {-3, maxv} end
local oldsize = old and rec_size(old) or 0
local bytes = tonumber(redis.call('HGET', M, 'bytes') or '0')
if maxb >= 0 and bytes - oldsize + size > maxb then return {-4, maxb} end
local rev = redis.call('HINCRBY', M, 'rev', 1)
local ttl = tonumber(ARGV[7])
if ttl < 0 then ttl = bttl * 1000 end
local exp = 0
if ttl > 0 then exp = now + ttl end
local created = old and rec_created(old) or tostring(now)
local rec = rev .. '\n' .. created .. '\n' .. now .. '\n' .. exp .. '\n' .. ARGV[5] .. '\n'
  .. ARGV[6] .. '\n' .. value
redis.call('HSET', D, key, rec)
if old then
  if history > 1 then redis.call('ZADD', H, 0, hist_member(key, cur, 'p', old)) end
else
  redis.call('ZADD', K, 0, key)
  redis.call('HINCRBY', M, 'count', 1)
end
hist_trim(key, history - 1)
if exp > 0 then
  redis.call('ZADD', X, exp, key)
elseif old then
  redis.call('ZREM', X, key)
end
redis.call('HINCRBY', M, 'bytes', size - oldsize)
redis.call('HINCRBY', M, 'writes', 1)
redis.call('HSET', M, 'modified', now, 'accessed', now)
return {1, rev, exp}
