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
return {1, delete_entry(key, old, history, now)}
