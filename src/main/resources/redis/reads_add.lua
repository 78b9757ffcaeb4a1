-- ARGV: reads, accessed (ms). Adds reads a replica counted to the bucket's stats and moves its
-- accessed time forward; a bucket dropped meanwhile is left alone (nothing is recreated).
if redis.call('EXISTS', M) == 0 then return 0 end
redis.call('HINCRBY', M, 'reads', ARGV[1])
local t = tonumber(ARGV[2])
if t > (tonumber(redis.call('HGET', M, 'accessed')) or 0) then
  redis.call('HSET', M, 'accessed', t)
end
return 1
