-- ARGV: key. Removes the key's record, with its history and an expire event, if it has expired
-- (a read found it so; a write since then may have replaced it).
live(ARGV[1], now_ms())
