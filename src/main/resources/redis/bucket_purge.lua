-- ARGV: tenant, name. Returns {-1} no bucket, {1} purged: entries, history and the field indexes'
-- contents gone (a backfill has nothing left to do), settings and mappings kept.
-- The change stream goes too (its events hold values), all but the purge event itself: a watch
-- resuming from before it must start again from a snapshot.
if not bucket(ARGV[1], ARGV[2]) then return {-1} end
local now = now_ms()
index_clear()
redis.call('UNLINK', D, K, X, H, S)
redis.call('HSET', M, 'count', 0, 'bytes', 0, 'modified', now)
emit(redis.call('HINCRBY', M, 'rev', 1), 'x', '', now)
return {1}
