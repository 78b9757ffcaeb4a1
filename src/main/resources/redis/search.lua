-- One page of a field search on the lexicographic index of one field (members 'term \0 key').
-- ARGV: tenant, name, mapping version, field suffix, page start bound, range lower bound, range
-- upper bound, limit, '1' when a key has at most one member in the range (an exact term), the
-- most members counted to give a total when keys can have several.
-- A key with several members in the range (words sharing a prefix, an array) shows once, at its
-- first member; its later ones are skipped.
-- Returns {-1} no bucket, {-5, version, mappings}, or {1, index hits, distinct total (-1 when over
-- the count budget), next cursor ('' = last page), backfill progress ('' = none, else entries
-- passed), key, record, ...}.
local b = bucket(ARGV[1], ARGV[2], 'ibf', 'ibfn', 'imul:' .. ARGV[4])
if not b then return {-1} end
local stale = index_stale(ARGV[3])
if stale then return stale end
local ik = BASE .. 'i:' .. ARGV[4]
local start, from, to, limit = ARGV[5], ARGV[6], ARGV[7], tonumber(ARGV[8])
local multi = ARGV[9] ~= '1' and tonumber(b[5] or '0') > 0
local now = now_ms()
reap(now, 100)
count_access('lists', now)

local function key_of(m)
  return string.sub(m, string.find(m, '\0', 1, true) + 1)
end

local hits = redis.call('ZLEXCOUNT', ik, from, to)
local total = hits
if multi then
  if hits <= tonumber(ARGV[10]) then
    local seen, n = {}, 0
    for _, m in ipairs(redis.call('ZRANGEBYLEX', ik, from, to)) do
      local k = key_of(m)
      if not seen[k] then
        seen[k] = true
        n = n + 1
      end
    end
    total = n
  else
    total = -1
  end
end

-- Rank of the range's first member; a member's other members of the same key rank before it
-- within the range when their rank is in [r0, its rank).
local r0 = nil
local function first_hit(key, m)
  local blob = redis.call('HGET', IT, key)
  if not blob then return true end
  local t = terms_of(blob)
  local mine = nil
  for j = 1, #t, 3 do
    if t[j] ~= 'm' and t[j + 1] == ARGV[4] and t[j + 2] ~= m then
      if not mine then
        mine = redis.call('ZRANK', ik, m)
        if not r0 then
          local kind, v = string.sub(from, 1, 1), string.sub(from, 2)
          if kind == '[' then
            r0 = redis.call('ZLEXCOUNT', ik, '-', '(' .. v)
          elseif kind == '(' then
            r0 = redis.call('ZLEXCOUNT', ik, '-', '[' .. v)
          else
            r0 = 0
          end
        end
      end
      local r = redis.call('ZRANK', ik, t[j + 2])
      if r and r >= r0 and r < mine then return false end
    end
  end
  return true
end

local out = {1, hits, total, '', ''}
if b[3] then out[5] = b[4] or '0' end
local found, rounds = 0, 0
while found < limit and rounds < 8 do
  rounds = rounds + 1
  local want = limit - found
  local ms = redis.call('ZRANGEBYLEX', ik, start, to, 'LIMIT', 0, want)
  if #ms == 0 then return out end
  for _, m in ipairs(ms) do
    local key = key_of(m)
    if not multi or first_hit(key, m) then
      local rec = redis.call('HGET', D, key)
      if rec then
        if not expired(rec, now) then
          out[#out + 1] = key
          out[#out + 1] = rec
          found = found + 1
        end
      end
    end
  end
  start = '(' .. ms[#ms]
  if #ms < want then return out end
end
if #redis.call('ZRANGEBYLEX', ik, start, to, 'LIMIT', 0, 1) > 0 then
  out[4] = string.sub(start, 2)
end
return out
