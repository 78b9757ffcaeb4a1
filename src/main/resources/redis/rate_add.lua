-- KEYS: 1 a rate-limit window counter. ARGV: delta, ttl ms. Returns the new total.
local total = redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2], 'NX')
return total
