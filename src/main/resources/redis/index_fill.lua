-- Indexes one slice of a backfill. ARGV: mapping version, the cursor the slice was read at, its
-- last key ('' = none left), keys in the slice, then per entry: key, revision read, terms.
-- An entry written since it was read (another revision, or gone) is skipped: its write indexed it
-- under these mappings already. A slice read under another version or cursor changes nothing.
-- Returns {-1} no bucket, {0} stale slice, or {1, 1 when entries remain else 0}.
if redis.call('EXISTS', M) == 0 then return {-1} end
local v = redis.call('HMGET', M, 'iver', 'ibf')
if (v[1] or '0') ~= ARGV[1] or v[2] ~= ARGV[2] then return {0} end
for i = 5, #ARGV, 3 do
  local key = ARGV[i]
  local rec = redis.call('HGET', D, key)
  if rec and rec_rev(rec) == tonumber(ARGV[i + 1]) then
    index_drop(key)
    index_add(key, ARGV[i + 2])
  end
end
local last = ARGV[3]
if last == '' or #redis.call('ZRANGEBYLEX', K, '(' .. last, '+', 'LIMIT', 0, 1) == 0 then
  redis.call('HDEL', M, 'ibf', 'ibfn')
  return {1, 0}
end
redis.call('HSET', M, 'ibf', last)
redis.call('HINCRBY', M, 'ibfn', tonumber(ARGV[4]))
return {1, 1}
