-- Tenant scripts. KEYS: 1 name -> id hash, 2 all bucket ids by creation time (zset), 3 named
-- bucket ids by creation time (zset).
-- ARGV: name ('' = unnamed), id, createdMs, staleId ('' = none: an id found to hold the name only
-- as a leftover of an interrupted rename or delete, which may be replaced).
-- Returns the id that holds the name afterwards (the given one when claimed).
local name, id = ARGV[1], ARGV[2]
if name ~= '' then
  local held = redis.call('HGET', KEYS[1], name)
  if held and held ~= id and held ~= ARGV[4] then return held end
  if held and held ~= id then redis.call('ZREM', KEYS[3], held) end
  redis.call('HSET', KEYS[1], name, id)
  redis.call('ZADD', KEYS[3], ARGV[3], id)
end
redis.call('ZADD', KEYS[2], ARGV[3], id)
return id
