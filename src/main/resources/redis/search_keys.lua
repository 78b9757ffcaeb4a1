-- ARGV: tenant, name, literal prefix, glob, after ('' = start), limit, scan budget.
-- Returns {-1} no bucket, or {1, nextAfter or '' (more to scan), key1, rec1, ...}.
if not bucket(ARGV[1], ARGV[2]) then return {-1} end
local now = now_ms()
local prefix, glob, after = ARGV[3], ARGV[4], ARGV[5]
local limit, budget = tonumber(ARGV[6]), tonumber(ARGV[7])
if after == '' then count_access('lists', now) end

-- Glob match of * and ? in O(len(p) * len(s)) at worst: no backtracking blow-up.
local function match(p, s)
  local pi, si, star, mark = 1, 1, 0, 0
  local pl, sl = #p, #s
  while si <= sl do
    local pc = string.byte(p, pi)
    if pi <= pl and pc == 42 then
      star = pi; mark = si; pi = pi + 1
    elseif pi <= pl and (pc == 63 or pc == string.byte(s, si)) then
      pi = pi + 1; si = si + 1
    elseif star > 0 then
      pi = star + 1; mark = mark + 1; si = mark
    else
      return false
    end
  end
  while pi <= pl and string.byte(p, pi) == 42 do pi = pi + 1 end
  return pi > pl
end

local from = '[' .. prefix
if after ~= '' then from = '(' .. after end
local to = '+'
if prefix ~= '' then to = '(' .. prefix .. '\255' end
local out = {1, ''}
local found, scanned = 0, 0
while scanned < budget do
  local keys = redis.call('ZRANGEBYLEX', K, from, to, 'LIMIT', 0, math.min(500, budget - scanned))
  if #keys == 0 then return out end
  scanned = scanned + #keys
  local hits = {}
  for _, key in ipairs(keys) do
    if match(glob, key) then hits[#hits + 1] = key end
  end
  found = found + append_live(hits, now, out, limit - found)
  if found == limit then return out end
  from = '(' .. keys[#keys]
end
out[2] = string.sub(from, 2)
return out
