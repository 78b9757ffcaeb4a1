-- ARGV: tenant, name ('' = any). Returns 0 no bucket, 1 dropped (memory freed asynchronously).
if not bucket(ARGV[1], ARGV[2]) then return 0 end
redis.call('UNLINK', M, D, K, X, H)
return 1
