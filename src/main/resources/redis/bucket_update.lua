-- ARGV: tenant, name, then field, value pairs to set.
-- Returns {-1} no bucket, or {1, liveCount, field, value, ...} after the change.
if not bucket(ARGV[1], ARGV[2]) then return {-1} end
local now = now_ms()
for i = 3, #ARGV, 2 do redis.call('HSET', M, ARGV[i], ARGV[i + 1]) end
redis.call('HSET', M, 'modified', now)
local out = {1, live_count(now)}
for _, v in ipairs(redis.call('HGETALL', M)) do out[#out + 1] = v end
return out
