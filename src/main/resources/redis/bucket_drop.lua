-- ARGV: tenant, name ('' = any). Returns {-1} no bucket, {1} dropped (memory freed
-- asynchronously). The change stream is replaced by one 'gone' event for its watchers to read,
-- which expires a minute later.
local b = bucket(ARGV[1], ARGV[2], 'rev')
if not b then return {-1} end
local ks = index_keys()
redis.call('UNLINK', IT, unpack(ks))
redis.call('UNLINK', M, D, K, X, H, S)
emit(tonumber(b[3] or '0') + 1, 'g', '', now_ms())
redis.call('EXPIRE', S, 60)
return {1}
