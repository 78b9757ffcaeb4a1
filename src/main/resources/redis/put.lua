-- ARGV: tenant, name, key, value, contentType, contentEncoding, ttlMs (-1 = bucket default,
-- 0 = none), If-Match, If-None-Match, mapping version, index terms ('' = the bucket maps nothing).
-- Returns {-1} no bucket, {-2, current rev} precondition failed, {-3, max} value too large,
-- {-4, max} bucket full, {-5, version, mappings} terms computed under other mappings,
-- {1, rev, expiresMs}.
local b = bucket(ARGV[1], ARGV[2], 'history', 'ttl', 'maxb', 'maxv', 'iver', 'xany', 'bytes', 'rev',
  'writes', 'count')
if not b then return {-1} end
local stale = index_stale(ARGV[10], b[7])
XANY = b[8]
if stale then return stale end
local history, bttl = tonumber(b[3]), tonumber(b[4])
local maxb, maxv = tonumber(b[5]), tonumber(b[6])
local key, value = ARGV[3], ARGV[4]
local now = now_ms()
-- A bucket that never had an entry with an expiry has nothing to reap.
local reaped = XANY == '1' and reap(now, 16) or 0
local old, expired_now = live(key, now)
local cur = old and rec_rev(old) or 0
if not cond_ok(cur, ARGV[8], ARGV[9]) then return {-2, cur} end
local size = #value
if maxv >= 0 and size > maxv then return {-3, maxv} end
local oldsize = old and rec_size(old) or 0
-- The bucket's bytes as read above, or as they are after what was expired on the way.
local bytes = tonumber(b[9] or '0')
-- The counters as read above, unless an expiry on the way changed them (then write_entry counts
-- with HINCRBY).
local counters
if reaped > 0 or expired_now then
  bytes = tonumber(redis.call('HGET', M, 'bytes') or '0')
else
  counters = {tonumber(b[10] or '0'), bytes, tonumber(b[11] or '0'), tonumber(b[12] or '0')}
end
if maxb >= 0 and bytes - oldsize + size > maxb then return {-4, maxb} end
local rev, exp = write_entry(key, value, ARGV[5], ARGV[6], tonumber(ARGV[7]), old, history, bttl,
  now, ARGV[11], counters)
return {1, rev, exp}
