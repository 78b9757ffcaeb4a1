-- ARGV: tenant, name ('' = any). Returns {-1} no bucket, {1} dropped (memory freed
-- asynchronously). The change stream ends with a 'gone' event that watchers read, and is removed
-- a minute later.
local b = bucket(ARGV[1], ARGV[2], 'rev')
if not b then return {-1} end
emit(tonumber(b[3] or '0') + 1, 'g', '', now_ms())
redis.call('UNLINK', M, D, K, X, H)
redis.call('EXPIRE', S, 60)
return {1}
