-- release.lua: one connection fewer for the address on this replica (never below zero).
-- KEYS: none. Keys are built from the prefix in ARGV[1].
-- ARGV: 1 prefix, 2 own replica id, 3 address
-- Reply: 1
local key = ARGV[1] .. 'ipconn:' .. ARGV[2]
if redis.call('HINCRBY', key, ARGV[3], -1) <= 0 then redis.call('HDEL', key, ARGV[3]) end
return 1
