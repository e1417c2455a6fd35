-- park-session.lua: a draining replica's session waits for its client elsewhere until a deadline.
-- KEYS: 1 s:<session>, 2 parked
--   Keys found inside (a member's session, a network) come from ARGV[1], the live-state prefix: same hash tag.
-- ARGV: 1 prefix, 2 session id, 3 resume token digest, 4 deadline ms
-- Reply: 1 parked | 0 unknown session
local sid, digest, deadline = ARGV[2], ARGV[3], ARGV[4]
local skey = KEYS[1]
local replica = redis.call('HGET', skey, 'replica')
if not replica then return 0 end
redis.call('HSET', skey, 'resume', digest)
redis.call('SREM', p .. 'r:' .. replica, sid)
redis.call('ZADD', KEYS[2], deadline, sid)
return 1
