-- Shared by every bucket script. KEYS: 1 meta hash, 2 data hash, 3 key index zset,
-- 4 expiry zset, 5 history zset, 6 change stream, 7 index terms hash; all share the bucket's hash
-- tag, as do the field indexes named from the meta key (BASE .. 'i:' .. suffix, BASE .. 'w:' ..
-- suffix), whose suffixes the meta field 'isfx' lists.
-- A record is "rev\ncreated\nupdated\nexpires\ncontentType\ncontentEncoding\nvalue" (times in ms,
-- expires 0 = never). A history member is key .. "\0" .. %016x(rev) .. op ("p"/"d") .. record.
local M, D, K, X, H, S, IT = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local BASE = string.sub(M, 1, #M - 1)
-- Changes the stream keeps (at least), and the largest value a put event carries (set at load).
local STREAM_KEEP = '__STREAM_KEEP__'
local STREAM_VALUE_MAX = __STREAM_VALUE_MAX__
-- Integers go to Redis, and into records, as strings made with '%d': Redis 7.0 turns a Lua number
-- argument into text with printf's '%.17g' and Lua a concatenated one with '%.14g', each costlier
-- than the integer format (a put made a dozen of them: 7% of its Redis time).
local fmt = string.format
-- header()'s findings in this call, by record.
local headers = {}
-- The bucket's 'xany' flag (set once any entry had an expiry) when the script has read it; nil:
-- not read.
local XANY

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Positions of the six header newlines of a record, found once per record and call (a write asks
-- for its old record's revision, size, creation and expiry; see headers above).
local function header(rec)
  local p = headers[rec]
  if p then return p end
  p = {}
  local from = 1
  for i = 1, 6 do
    local n = string.find(rec, '\n', from, true)
    p[i] = n
    from = n + 1
  end
  headers[rec] = p
  return p
end

local function rec_rev(rec)
  local n = string.find(rec, '\n', 1, true)
  return tonumber(string.sub(rec, 1, n - 1))
end

local function rec_created(rec)
  local p = header(rec)
  return string.sub(rec, p[1] + 1, p[2] - 1)
end

local function rec_expires(rec)
  local p = header(rec)
  return tonumber(string.sub(rec, p[3] + 1, p[4] - 1))
end

-- Whether a record's expiry time has come.
local function expired(rec, now)
  local exp = rec_expires(rec)
  return exp > 0 and exp <= now
end

-- Callers negate it as 0 - size: unary minus of 0 is -0, which Redis refuses as an integer.
local function rec_size(rec)
  local p = header(rec)
  return #rec - p[6]
end

local function hist_prefix(key)
  return key .. '\0'
end

local function hist_member(key, rev, op, rec)
  return key .. '\0' .. string.format('%016x', rev) .. op .. rec
end

-- The kept history members of a key, oldest first.
local function hist_of(key)
  return redis.call('ZRANGEBYLEX', H, '[' .. key .. '\0', '(' .. key .. '\1')
end

-- Keep at most n history members of a key, dropping the oldest.
local function hist_trim(key, n)
  local hs = hist_of(key)
  local excess = #hs - n
  if excess > 0 then
    local drop = {}
    for i = 1, excess do drop[i] = hs[i] end
    redis.call('ZREM', H, unpack(drop))
  end
end

-- Appends a change to the bucket's stream under the id <rev>-0, so that a watcher resumes by
-- revision: op 'p' put, 'd' delete, 'e' expiry, 'x' purge, 'g' bucket gone. A put carries its
-- record ('r'), or only the record's header ('h') when the value is over STREAM_VALUE_MAX. A
-- failure here must not abort the change it describes, whose writes are already made.
local function emit(rev, op, key, now, rec)
  local args = {'XADD', S, 'MAXLEN', '~', STREAM_KEEP, fmt('%d-0', rev), 'o', op, 'k', key, 't',
    fmt('%d', now)}
  if rec then
    local p = header(rec)
    if #rec - p[6] <= STREAM_VALUE_MAX then
      args[#args + 1] = 'r'
      args[#args + 1] = rec
    else
      args[#args + 1] = 'h'
      args[#args + 1] = string.sub(rec, 1, p[6])
    end
  end
  redis.pcall(unpack(args))
end

-- Checks that the bucket exists for this tenant (and, when given, still has this name).
-- Returns the requested meta fields, or nil.
local function bucket(tenant, name, ...)
  local v = redis.call('HMGET', M, 'tenant', 'name', ...)
  if v[1] ~= tenant then return nil end
  if name ~= '' and v[2] ~= name then return nil end
  return v
end

-- ---- field indexes (see IndexTerms for the blob of an entry's terms) ----

-- A terms blob as a flat list of kind, suffix, member.
local function terms_of(blob)
  local out = {}
  local i, n = 2, #blob
  while i <= n do
    local kind = string.sub(blob, i, i)
    local c = string.find(blob, ':', i + 1, true)
    local len = tonumber(string.sub(blob, i + 1, c - 1))
    local suffix = string.sub(blob, c + 1, c + len)
    i = c + len + 1
    c = string.find(blob, ':', i, true)
    len = tonumber(string.sub(blob, i, c - 1))
    out[#out + 1] = kind
    out[#out + 1] = suffix
    out[#out + 1] = string.sub(blob, c + 1, c + len)
    i = c + len + 1
  end
  return out
end

-- The term of a member ('term \0 key').
local function term_of(member)
  return string.sub(member, 1, string.find(member, '\0', 1, true) - 1)
end

-- Characters of a UTF-8 word: the words of text are kept by length, for fuzzy search.
local function word_len(w)
  local _, n = string.gsub(w, '[^\128-\191]', '')
  return n
end

-- Removes an entry's index terms; blob is its term list when the caller has read it already.
local function index_drop(key, blob)
  blob = blob or redis.call('HGET', IT, key)
  if not blob then return end
  redis.call('HDEL', IT, key)
  if string.sub(blob, 1, 1) == '1' then redis.call('HINCRBY', M, 'iwrong', -1) end
  local t = terms_of(blob)
  for j = 1, #t, 3 do
    local kind, suffix, member = t[j], t[j + 1], t[j + 2]
    if kind == 'm' then
      redis.call('HINCRBY', M, 'imul:' .. suffix, -1)
    else
      local ik = BASE .. 'i:' .. suffix
      redis.call('ZREM', ik, member)
      if kind == 't' then
        local w = term_of(member)
        if redis.call('ZLEXCOUNT', ik, '[' .. w .. '\0', '(' .. w .. '\1') == 0 then
          redis.call('ZREM', BASE .. 'w:' .. suffix, w)
        end
      end
    end
  end
end

-- Adds an entry's index terms (its earlier ones already dropped).
local function index_add(key, blob)
  if #blob <= 1 and blob ~= '1' then return end
  redis.call('HSET', IT, key, blob)
  if string.sub(blob, 1, 1) == '1' then redis.call('HINCRBY', M, 'iwrong', 1) end
  local t = terms_of(blob)
  for j = 1, #t, 3 do
    local kind, suffix, member = t[j], t[j + 1], t[j + 2]
    if kind == 'm' then
      redis.call('HINCRBY', M, 'imul:' .. suffix, 1)
    else
      redis.call('ZADD', BASE .. 'i:' .. suffix, 0, member)
      if kind == 't' then
        local w = term_of(member)
        redis.call('ZADD', BASE .. 'w:' .. suffix, word_len(w), w)
      end
    end
  end
end

-- The mapping version a writer computed its terms with must be the bucket's: else the writer
-- gets {-5, version, mappings} and computes them again. iver: the bucket's version when the
-- caller has read it already (false: it has none), nil to read it here.
local function index_stale(ver, iver)
  if iver == nil then iver = redis.call('HGET', M, 'iver') end
  iver = iver or '0'
  if iver == ver then return nil end
  return {-5, iver, redis.call('HGET', M, 'imap') or ''}
end

-- The Redis keys of every field index of the bucket.
local function index_keys()
  local out = {}
  local sfx = redis.call('HGET', M, 'isfx') or ''
  for suffix in string.gmatch(sfx, '[^\n]+') do
    out[#out + 1] = BASE .. 'i:' .. suffix
    out[#out + 1] = BASE .. 'w:' .. suffix
  end
  return out, sfx
end

-- Empties every index of the bucket and its counters (the keys freed asynchronously).
local function index_clear()
  local ks, sfx = index_keys()
  redis.call('UNLINK', IT, unpack(ks))
  local fields = {'iwrong', 'ibf', 'ibfn'}
  for suffix in string.gmatch(sfx, '[^\n]+') do fields[#fields + 1] = 'imul:' .. suffix end
  redis.call('HDEL', M, unpack(fields))
end

-- Removes one expired entry with its history; bumps the revision like any other change.
local function expire_one(key, rec, now)
  index_drop(key)
  redis.call('HDEL', D, key)
  redis.call('ZREM', K, key)
  redis.call('ZREM', X, key)
  local hs = hist_of(key)
  if #hs > 0 then redis.call('ZREM', H, unpack(hs)) end
  redis.call('HINCRBY', M, 'count', -1)
  redis.call('HINCRBY', M, 'bytes', 0 - rec_size(rec))
  emit(redis.call('HINCRBY', M, 'rev', 1), 'e', key, now)
end

-- Removes up to max entries whose expiry has passed; returns how many it removed.
local function reap(now, max)
  local due = redis.call('ZRANGEBYSCORE', X, '-inf', now, 'LIMIT', 0, max)
  for _, key in ipairs(due) do
    local rec = redis.call('HGET', D, key)
    if rec then
      expire_one(key, rec, now)
    else
      redis.call('ZREM', X, key)
    end
  end
  return #due
end

-- The live record of a key, or nil (an expired record is removed on the way).
local function live(key, now)
  local rec = redis.call('HGET', D, key)
  if rec and expired(rec, now) then
    expire_one(key, rec, now)
    return nil, true
  end
  return rec
end

-- Marks the bucket as having (had) entries with an expiry, which writes then reap as they go.
local function note_expiring()
  if XANY ~= '1' then
    redis.call('HSET', M, 'xany', 1)
    XANY = '1'
  end
end

-- Whether an entry at revision cur (0 = absent) passes If-Match (im) and If-None-Match (inm),
-- each '' (none), '*' or a list ',r1,r2,'.
local function cond_ok(cur, im, inm)
  local c = ',' .. string.format('%d', cur) .. ','
  if im == '*' and cur == 0 then return false end
  if im ~= '' and im ~= '*' and (cur == 0 or not string.find(im, c, 1, true)) then return false end
  if inm == '*' and cur ~= 0 then return false end
  if inm ~= '' and inm ~= '*' and cur ~= 0 and string.find(inm, c, 1, true) then return false end
  return true
end

-- Bookkeeping of a read or a list: its counter and the bucket's accessed time.
local function count_access(counter, now)
  redis.call('HINCRBY', M, counter, 1)
  redis.call('HSET', M, 'accessed', now)
end

-- Appends key, record pairs for the live entries among keys to out; returns how many.
local function append_live(keys, now, out, max)
  if #keys == 0 then return 0 end
  local recs = redis.call('HMGET', D, unpack(keys))
  local n = 0
  for i, key in ipairs(keys) do
    local rec = recs[i]
    if rec and n < max then
      if not expired(rec, now) then
        out[#out + 1] = key
        out[#out + 1] = rec
        n = n + 1
      end
    end
  end
  return n
end

-- Live entry count: stored count less entries whose expiry passed but are not yet removed.
local function live_count(now)
  local c = tonumber(redis.call('HGET', M, 'count') or '0')
  return c - redis.call('ZCOUNT', X, '-inf', now)
end

-- Writes one entry (the bookkeeping of a put: history, counts, bytes, expiry). old is its live
-- record or nil, bttl the bucket's default TTL in seconds, ttl the entry's in ms (-1 = default,
-- -2 = the expiry old has, or the default without old), terms its index terms blob ('' when the
-- bucket maps no field). Limits are the caller's to check first. m: the bucket's counters as the
-- caller read them in this call ({rev, bytes, writes, count}, numbers; nil: not read), which the
-- write then sets in one HSET with its times rather than one HINCRBY each (a call from Lua costs
-- more than the command). Returns the new revision and expiry.
local function write_entry(key, value, ctype, cenc, ttl, old, history, bttl, now, terms, m)
  local cur = old and rec_rev(old) or 0
  local oldsize = old and rec_size(old) or 0
  local rev
  if m then
    rev = m[1] + 1
  else
    rev = redis.call('HINCRBY', M, 'rev', '1')
  end
  local exp = 0
  if ttl == -2 and old then
    exp = rec_expires(old)
  else
    if ttl < 0 then ttl = bttl * 1000 end
    if ttl > 0 then exp = now + ttl end
  end
  local now_s = fmt('%d', now)
  local rec = fmt('%d\n%s\n%s\n%d\n', rev, old and rec_created(old) or now_s, now_s, exp) .. ctype
    .. '\n' .. cenc .. '\n' .. value
  redis.call('HSET', D, key, rec)
  if old then
    if history > 1 then redis.call('ZADD', H, '0', hist_member(key, cur, 'p', old)) end
  else
    redis.call('ZADD', K, '0', key)
    if not m then redis.call('HINCRBY', M, 'count', '1') end
  end
  -- With history 1 a live key has nothing in H (history never changes, a delete's tombstone is
  -- trimmed by the put that follows it, an expiry leaves none).
  if not (old and history == 1) then hist_trim(key, history - 1) end
  if exp > 0 then
    redis.call('ZADD', X, fmt('%d', exp), key)
    note_expiring()
  elseif old and rec_expires(old) > 0 then
    -- Only a record with an expiry is in X.
    redis.call('ZREM', X, key)
  end
  if not m then redis.call('HINCRBY', M, 'bytes', fmt('%d', #value - oldsize)) end
  if terms ~= '' then
    -- A write that leaves the mapped fields as they were keeps its index entries as they are.
    local stored = old and redis.call('HGET', IT, key)
    if stored ~= terms then
      if stored then index_drop(key, stored) end
      index_add(key, terms)
    end
  end
  if m then
    redis.call('HSET', M, 'rev', fmt('%d', rev), 'bytes', fmt('%d', m[2] + #value - oldsize),
      'writes', fmt('%d', m[3] + 1), 'count', fmt('%d', old and m[4] or m[4] + 1),
      'modified', now_s, 'accessed', now_s)
  else
    redis.call('HINCRBY', M, 'writes', '1')
    redis.call('HSET', M, 'modified', now_s, 'accessed', now_s)
  end
  emit(rev, 'p', key, now, rec)
  return rev, exp
end

-- Deletes one live entry (old is its record), keeping a tombstone. Returns the new revision.
local function delete_entry(key, old, history, now)
  local cur = rec_rev(old)
  local rev = redis.call('HINCRBY', M, 'rev', 1)
  if history > 1 then redis.call('ZADD', H, 0, hist_member(key, cur, 'p', old)) end
  local tomb = rev .. '\n' .. rec_created(old) .. '\n' .. now .. '\n0\n\n\n'
  redis.call('ZADD', H, 0, hist_member(key, rev, 'd', tomb))
  hist_trim(key, history)
  index_drop(key)
  redis.call('HDEL', D, key)
  redis.call('ZREM', K, key)
  redis.call('ZREM', X, key)
  redis.call('HINCRBY', M, 'count', -1)
  redis.call('HINCRBY', M, 'bytes', 0 - rec_size(old))
  redis.call('HINCRBY', M, 'deletes', 1)
  redis.call('HSET', M, 'modified', now, 'accessed', now)
  emit(rev, 'd', key, now)
  return rev
end
