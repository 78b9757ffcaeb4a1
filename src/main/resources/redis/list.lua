-- ARGV: tenant, name, prefix, after ('' = from the start), limit.
-- Returns {-1} no bucket, or {1, liveCount, nextAfter or '', key1, rec1, key2, rec2, ...}.
if not bucket(ARGV[1], ARGV[2]) then return {-1} end
local now = now_ms()
reap(now, 100)
count_access('lists', now)
local prefix, after, limit = ARGV[3], ARGV[4], tonumber(ARGV[5])
local from = '[' .. prefix
if after ~= '' and after >= prefix then from = '(' .. after end
local to = '+'
if prefix ~= '' then to = '(' .. prefix .. '\255' end
local out = {1, live_count(now), ''}
local found, rounds = 0, 0
-- Expired entries not yet removed are skipped; a bounded number of rounds keeps the script short.
while found < limit and rounds < 8 do
  rounds = rounds + 1
  local want = limit - found
  local keys = redis.call('ZRANGEBYLEX', K, from, to, 'LIMIT', 0, want)
  if #keys == 0 then return out end
  found = found + append_live(keys, now, out, want)
  from = '(' .. keys[#keys]
  if #keys < want then return out end
end
-- The page is full (or the round budget spent): the caller continues after the last key seen.
local more = redis.call('ZRANGEBYLEX', K, from, to, 'LIMIT', 0, 1)
if #more > 0 then out[3] = string.sub(from, 2) end
return out
