-- An atomic batch: every check, then every mutation, or nothing.
-- ARGV: tenant, name, contentType of puts, mapping version, checkCount, then per check: key, kind
-- ('a' absent, 'r' at a revision), revision; then per mutation: op ('p' put, 'd' delete), key,
-- value, ttlMs (-1 = bucket default, -2 = keep the entry's expiry, 0 = none), index terms.
-- Returns {-1} no bucket; {-2, check number (1-based), current rev} a check failed; {-3, max, key}
-- a value over max_value_size; {-4, max} the bucket over max_bytes; {-5, version, mappings} terms
-- computed under other mappings; or {1, bucket rev, expiring (1 when an entry now expires), rev
-- per mutation (0: a delete of a missing key)}.
local b = bucket(ARGV[1], ARGV[2], 'history', 'ttl', 'maxb', 'maxv')
if not b then return {-1} end
local stale = index_stale(ARGV[4])
if stale then return stale end
local history, bttl = tonumber(b[3]), tonumber(b[4])
local maxb, maxv = tonumber(b[5]), tonumber(b[6])
local ctype = ARGV[3]
local now = now_ms()
reap(now, 16)
local i = 6
for c = 1, tonumber(ARGV[5]) do
  local key, kind, want = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  local old = live(key, now)
  local cur = old and rec_rev(old) or 0
  if (kind == 'a' and cur ~= 0) or (kind == 'r' and cur ~= want) then return {-2, c, cur} end
  i = i + 3
end
-- The limits hold for the batch as a whole before anything is written.
local first = i
local sizes = {}
local bytes = tonumber(redis.call('HGET', M, 'bytes') or '0')
while i <= #ARGV do
  local op, key, value = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local before = sizes[key]
  if before == nil then
    local old = live(key, now)
    before = old and rec_size(old) or 0
  end
  local after = 0
  if op == 'p' then
    if maxv >= 0 and #value > maxv then return {-3, maxv, key} end
    after = #value
  end
  bytes = bytes - before + after
  sizes[key] = after
  i = i + 5
end
if maxb >= 0 and bytes > maxb then return {-4, maxb} end
local out = {1, 0, 0}
i = first
while i <= #ARGV do
  local op, key = ARGV[i], ARGV[i + 1]
  local old = live(key, now)
  if op == 'p' then
    local rev, exp = write_entry(key, ARGV[i + 2], ctype, '', tonumber(ARGV[i + 3]), old, history,
      bttl, now, ARGV[i + 4])
    if exp > 0 then out[3] = 1 end
    out[#out + 1] = rev
  elseif old then
    out[#out + 1] = delete_entry(key, old, history, now)
  else
    out[#out + 1] = 0
  end
  i = i + 5
end
out[2] = tonumber(redis.call('HGET', M, 'rev'))
return out
