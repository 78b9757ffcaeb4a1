-- ARGV: tenant, name ('' = any). Returns {-1} no bucket, {1} dropped (memory freed
-- asynchronously).
if not bucket(ARGV[1], ARGV[2]) then return {-1} end
redis.call('UNLINK', M, D, K, X, H)
return {1}
