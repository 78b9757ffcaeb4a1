-- KEYS: 1 name -> id hash, 2 bucket ids by creation time. ARGV: name, id.
-- Returns 1 when the name was held by this id and is now free, else 0.
redis.call('ZREM', KEYS[2], ARGV[2])
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call('HDEL', KEYS[1], ARGV[1])
  return 1
end
return 0
