-- ARGV: tenant, name, mappings (JSON, as the service reads them), index key suffixes (one a line).
-- The indexes start empty under a new mapping version; a bucket with entries gets a backfill,
-- which the meta fields 'ibf' (the last key indexed, '' before the first) and 'ibfn' (entries
-- passed so far) follow until it is done.
-- Returns {-1} no bucket, or {1, version, 1 when a backfill is needed else 0}.
if not bucket(ARGV[1], ARGV[2]) then return {-1} end
index_clear()
local ver = redis.call('HINCRBY', M, 'iver', 1)
redis.call('HSET', M, 'imap', ARGV[3], 'isfx', ARGV[4], 'modified', now_ms())
if ARGV[4] ~= '' and redis.call('ZCARD', K) > 0 then
  redis.call('HSET', M, 'ibf', '', 'ibfn', 0)
  return {1, ver, 1}
end
return {1, ver, 0}
