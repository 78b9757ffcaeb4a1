-- ARGV: tenant, name. Where a watch starts. Returns {-1} no bucket, or {1, revision, the oldest
-- revision the change stream keeps (0 when it keeps none)}.
local b = bucket(ARGV[1], ARGV[2], 'rev')
if not b then return {-1} end
local first = redis.call('XRANGE', S, '-', '+', 'COUNT', 1)[1]
local oldest = 0
if first then oldest = tonumber(string.match(first[1], '^%d+')) end
return {1, tonumber(b[3] or '0'), oldest}
