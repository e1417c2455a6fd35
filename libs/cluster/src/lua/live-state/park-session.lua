-- park-session.lua: a session of a draining or dead replica waits for its client elsewhere until a deadline.
-- KEYS: 1 s:<session>, 2 parked
--   Keys found inside (its replica's set) come from ARGV[1], the live-state prefix: same hash tag.
-- ARGV: 1 prefix, 2 session id, 3 the replica that must still hold it, 4 resume digest ('' keeps the stored
--   one), 5 deadline ms
-- Reply: 1 parked | 0 unknown, already parked, or held by another replica (taken over meanwhile)
local sid, heldBy, digest, deadline = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local skey = KEYS[1]
local replica = redis.call('HGET', skey, 'replica')
if replica ~= heldBy or redis.call('ZSCORE', KEYS[2], sid) then return 0 end
if digest ~= '' then redis.call('HSET', skey, 'resume', digest) end
redis.call('HDEL', skey, 'held')
redis.call('SREM', p .. 'r:' .. replica, sid)
redis.call('ZADD', KEYS[2], deadline, sid)
return 1
