-- One slice of a delete by prefix. ARGV: tenant, name, prefix, max keys to delete now.
-- Each key goes as a delete does (tombstone, counts, bytes); the meta field 'pdel:<prefix>' keeps
-- the count deleted so far while keys remain, for K3, and goes when none do.
-- Returns {-1} no bucket, or {1, deleted now, deleted in all, 1 when keys remain else 0}.
local b = bucket(ARGV[1], ARGV[2], 'history')
if not b then return {-1} end
local history = tonumber(b[3])
local prefix, max = ARGV[3], tonumber(ARGV[4])
local now = now_ms()
local to = '+'
if prefix ~= '' then to = '(' .. prefix .. '\255' end
local keys = redis.call('ZRANGEBYLEX', K, '[' .. prefix, to, 'LIMIT', 0, max)
local deleted = 0
for _, key in ipairs(keys) do
  local old = live(key, now)
  if old then
    delete_entry(key, old, history, now)
    deleted = deleted + 1
  end
end
local field = 'pdel:' .. prefix
local total = redis.call('HINCRBY', M, field, deleted)
local more = #redis.call('ZRANGEBYLEX', K, '[' .. prefix, to, 'LIMIT', 0, 1)
if more == 0 then redis.call('HDEL', M, field) end
return {1, deleted, total, more}
