-- ARGV: tenant, name, key, If-Match, If-None-Match.
-- Returns {-1} no bucket, {0} no such key, {-2, current rev} precondition failed, {1, rev}.
local b = bucket(ARGV[1], ARGV[2], 'history')
if not b then return {-1} end
local history = tonumber(b[3])
local key = ARGV[3]
local now = now_ms()
reap(now, 16)
local old = live(key, now)
if not old then return {0} end
local cur = rec_rev(old)
if not cond_ok(cur, ARGV[4], ARGV[5]) then return {-2, cur} end
local rev = redis.call('HINCRBY', M, 'rev', 1)
if history > 1 then redis.call('ZADD', H, 0, hist_member(key, cur, 'p', old)) end
local tomb = rev .. '\n' .. rec_created(old) .. '\n' .. now .. '\n0\n\n\n'
redis.call('ZADD', H, 0, hist_member(key, rev, 'd', tomb))
hist_trim(key, history)
redis.call('HDEL', D, key)
redis.call('ZREM', K, key)
redis.call('ZREM', X, key)
redis.call('HINCRBY', M, 'count', -1)
redis.call('HINCRBY', M, 'bytes', -rec_size(old))
redis.call('HINCRBY', M, 'deletes', 1)
redis.call('HSET', M, 'modified', now, 'accessed', now)
return {1, rev}
