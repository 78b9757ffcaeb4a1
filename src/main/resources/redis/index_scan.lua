-- The next slice of a backfill. ARGV: mapping version, max entries.
-- Returns {-1} no bucket, {0} no backfill under this version, or {1, cursor, last key of the
-- slice ('' when none is left), key, record, ...}.
if redis.call('EXISTS', M) == 0 then return {-1} end
local v = redis.call('HMGET', M, 'iver', 'ibf')
if (v[1] or '0') ~= ARGV[1] or not v[2] then return {0} end
local from = '-'
if v[2] ~= '' then from = '(' .. v[2] end
local keys = redis.call('ZRANGEBYLEX', K, from, '+', 'LIMIT', 0, tonumber(ARGV[2]))
local out = {1, v[2], keys[#keys] or ''}
if #keys == 0 then return out end
local recs = redis.call('HMGET', D, unpack(keys))
for i, key in ipairs(keys) do
  if recs[i] then
    out[#out + 1] = key
    out[#out + 1] = recs[i]
  end
end
return out
