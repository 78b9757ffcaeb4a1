-- ARGV: tenant, name, key, revision ('' = live), mode ('h' = the live record's header only).
-- The read is counted by the caller (ReadCounts), not here: a read writes nothing in Redis.
-- Returns {-1} no bucket, {0} none, {1, rec}, or {2}: the key's record has expired, and the caller
-- runs expire_key before it answers. The removal is not done here: the functions it needs would
-- be defined on every read, and a read's script costs Redis about a third more with them.
if not bucket(ARGV[1], ARGV[2]) then return {-1} end
local now = now_ms()
local key = ARGV[3]
local rec = redis.call('HGET', D, key)
if rec and expired(rec, now) then return {2} end
if ARGV[4] == '' then
  if not rec then return {0} end
  if ARGV[5] == 'h' then return {1, string.sub(rec, 1, header(rec)[6])} end
  return {1, rec}
end
local want = tonumber(ARGV[4])
if rec and rec_rev(rec) == want then return {1, rec} end
local from = '[' .. key .. '\0' .. string.format('%016x', want)
local to = '(' .. key .. '\0' .. string.format('%016x', want + 1)
local hit = redis.call('ZRANGEBYLEX', H, from, to, 'LIMIT', 0, 1)[1]
if not hit then return {0} end
local off = #key + 18
if string.sub(hit, off, off) ~= 'p' then return {0} end
return {1, string.sub(hit, off + 1)}
