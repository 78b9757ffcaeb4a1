-- ARGV: field, value pairs of the new meta hash (tenant and name among them).
-- Returns 0 when the id is taken (never in practice), 1 when created.
if redis.call('EXISTS', M) == 1 then return 0 end
redis.call('HSET', M, unpack(ARGV))
return 1
