-- release.lua: one connection fewer for the address on this replica (never below zero).
-- KEYS: 1 this replica's counts
-- ARGV: 1 address
-- Reply: 1
if redis.call('HINCRBY', KEYS[1], ARGV[1], -1) <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
return 1
