-- ARGV: tenant, name, prefix, after ('' = from the start), limit.
-- Returns {-1} no bucket, or {1, nextAfter or '', key1, size1, key2, size2, ...}.
if not bucket(ARGV[1], ARGV[2]) then return {-1} end
local now = now_ms()
count_access('lists', now)
local prefix, after, limit = ARGV[3], ARGV[4], tonumber(ARGV[5])
local from = '[' .. prefix
if after ~= '' and after >= prefix then from = '(' .. after end
local to = '+'
if prefix ~= '' then to = '(' .. prefix .. '\255' end
local out = {1, ''}
local found, rounds = 0, 0
while found < limit and rounds < 8 do
  rounds = rounds + 1
  local want = limit - found
  local keys = redis.call('ZRANGEBYLEX', K, from, to, 'LIMIT', 0, want)
  if #keys == 0 then return out end
  local recs = redis.call('HMGET', D, unpack(keys))
  for i, key in ipairs(keys) do
    local rec = recs[i]
    if rec then
      if not expired(rec, now) then
        out[#out + 1] = key
        out[#out + 1] = rec_size(rec)
        found = found + 1
      end
    end
  end
  from = '(' .. keys[#keys]
  if #keys < want then return out end
end
local more = redis.call('ZRANGEBYLEX', K, from, to, 'LIMIT', 0, 1)
if #more > 0 then out[2] = string.sub(from, 2) end
return out
