-- claim-dead-replica.lua: takes a dead replica's reaping lock for its holder, and lists its sessions.
-- KEYS: 1 reap:<dead replica>, 2 r:<dead replica>
-- ARGV: 1 prefix, 2 dead replica id, 3 lock ms, 4 holder (the reaping replica's id)
-- Reply: {session id...} | false (another replica holds the lock)
local rid, lockMs, holder = ARGV[2], ARGV[3], ARGV[4]
if not redis.call('SET', KEYS[1], holder, 'NX', 'PX', lockMs) then return false end
return redis.call('SMEMBERS', KEYS[2])
