-- renew-reap-lock.lua: extends the holder's reaping lock of a dead replica.
-- KEYS: 1 reap:<dead replica>
-- ARGV: 1 prefix, 2 dead replica id, 3 lock ms, 4 holder
-- Reply: 1 renewed | 0 the lock is not the holder's
local rid, lockMs, holder = ARGV[2], ARGV[3], ARGV[4]
if redis.call('GET', KEYS[1]) ~= holder then return 0 end
redis.call('PEXPIRE', KEYS[1], lockMs)
return 1
