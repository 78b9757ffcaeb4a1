-- ARGV: key. Removes the key's record, with its history and an expire event, if it has expired
-- (a read found it so; a write since then may have replaced it). Returns 1 if it did.
local key = ARGV[1]
local rec = redis.call('HGET', D, key)
if not rec then return 0 end
local now = now_ms()
local exp = rec_expires(rec)
if exp > 0 and exp <= now then
  expire_one(key, rec, now)
  return 1
end
return 0
