-- ARGV: tenant, name ('' = any). Returns {-1} no bucket, or {1, liveCount, field, value, ...}.
if not bucket(ARGV[1], ARGV[2]) then return {-1} end
local now = now_ms()
reap(now, 100)
local out = {1, live_count(now)}
for _, v in ipairs(redis.call('HGETALL', M)) do out[#out + 1] = v end
return out
