-- ARGV: max. Background expiry for one bucket. Returns {-1} no bucket, or {removed, pending}.
if redis.call('EXISTS', M) == 0 then return {-1} end
local removed = reap(now_ms(), tonumber(ARGV[1]))
return {removed, redis.call('ZCARD', X)}
