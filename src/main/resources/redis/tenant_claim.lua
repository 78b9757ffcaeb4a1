-- Tenant scripts. KEYS: 1 name -> id hash, 2 bucket ids by creation time (zset).
-- ARGV: name, id, createdMs. Returns the id that holds the name (the given one when claimed).
local held = redis.call('HGET', KEYS[1], ARGV[1])
if held then return held end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
return ARGV[2]
