-- The keys of a fuzzy search: entries with a word of the field within edit distance 2 of a word.
-- ARGV: tenant, name, mapping version, field suffix, the word, most candidate words examined, most
-- postings read. Words are compared by characters (UTF-8); candidates are the field's words of a
-- length within 2 of the word's, so the work is bounded by the two budgets.
-- Returns {-1} no bucket, {-5, version, mappings}, or {1, index hits, 1 when a budget cut the
-- search short, backfill progress ('' = none), key, key, ...} (keys distinct, in no order).
local b = bucket(ARGV[1], ARGV[2], 'ibf', 'ibfn')
if not b then return {-1} end
local stale = index_stale(ARGV[3])
if stale then return stale end
local wk, ik = BASE .. 'w:' .. ARGV[4], BASE .. 'i:' .. ARGV[4]
local budget, cap = tonumber(ARGV[6]), tonumber(ARGV[7])
local now = now_ms()
reap(now, 100)
count_access('lists', now)

local function chars(s)
  local out = {}
  for c in string.gmatch(s, '[%z\1-\127\194-\244][\128-\191]*') do out[#out + 1] = c end
  return out
end

-- Levenshtein distance of a and b when it is at most 2, else 3; rows stop once all exceed 2.
local function within2(a, b)
  local n, m = #a, #b
  if math.abs(n - m) > 2 then return false end
  local prev = {}
  for j = 0, m do prev[j] = j end
  for i = 1, n do
    local cur = {[0] = i}
    local best = i
    for j = 1, m do
      local cost = (a[i] == b[j]) and 0 or 1
      local v = prev[j - 1] + cost
      if prev[j] + 1 < v then v = prev[j] + 1 end
      if cur[j - 1] + 1 < v then v = cur[j - 1] + 1 end
      cur[j] = v
      if v < best then best = v end
    end
    if best > 2 then return false end
    prev = cur
  end
  return prev[m] <= 2
end

local w = chars(ARGV[5])
local lo, hi = #w - 2, #w + 2
if lo < 1 then lo = 1 end
local cands = redis.call('ZRANGEBYSCORE', wk, lo, hi, 'LIMIT', 0, budget)
local cut = 0
if #cands >= budget and redis.call('ZCOUNT', wk, lo, hi) > budget then cut = 1 end
local out = {1, 0, cut, ''}
if b[3] then out[4] = b[4] or '0' end
local seen, hits = {}, 0
for _, c in ipairs(cands) do
  if within2(w, chars(c)) then
    local left = cap - hits
    if left <= 0 then
      out[3] = 1
      break
    end
    local ms = redis.call('ZRANGEBYLEX', ik, '[' .. c .. '\0', '(' .. c .. '\1', 'LIMIT', 0, left)
    for _, m in ipairs(ms) do
      hits = hits + 1
      local key = string.sub(m, #c + 2)
      if not seen[key] then
        seen[key] = true
        out[#out + 1] = key
      end
    end
  end
end
out[2] = hits
return out
