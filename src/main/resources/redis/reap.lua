-- ARGV: max. Background expiry for one bucket. Returns {-1} no bucket, or {removed, pending}.
if redis.call('EXISTS', M) == 0 then return {-1} end
local removed = reap(now_ms(), tonumber(ARGV[1]))
local pending = redis.call('ZCARD', X)
-- A bucket whose entries got their expiry before writes kept the flag gets it here.
if pending > 0 then redis.call('HSETNX', M, 'xany', 1) end
return {removed, pending}
