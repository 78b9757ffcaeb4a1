-- KEYS: 1 name -> id hash, 2 all bucket ids by creation time, 3 named bucket ids by creation time.
-- ARGV: name ('' = none), id, mode: 'drop' (the bucket goes), 'unname' (it stays, without a name)
-- or 'rename' (it stays under a name claimed before).
-- Returns 1 when the name was held by this id and is now free, else 0.
local name, id, mode = ARGV[1], ARGV[2], ARGV[3]
if mode == 'drop' then redis.call('ZREM', KEYS[2], id) end
if mode ~= 'rename' then redis.call('ZREM', KEYS[3], id) end
if name ~= '' and redis.call('HGET', KEYS[1], name) == id then
  redis.call('HDEL', KEYS[1], name)
  return 1
end
return 0
