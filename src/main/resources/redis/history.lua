-- ARGV: tenant, name, key. Returns {-1} no bucket, or {1, live record or '', member...}
-- with history members oldest first.
if not bucket(ARGV[1], ARGV[2]) then return {-1} end
local now = now_ms()
count_access('reads', now)
local key = ARGV[3]
local rec = live(key, now)
local out = {1, rec or ''}
for _, m in ipairs(hist_of(key)) do out[#out + 1] = m end
return out
