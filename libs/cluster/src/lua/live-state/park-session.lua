-- park-session.lua: a draining replica's session waits for its client elsewhere until a deadline.
-- KEYS: none. Keys are built from the prefix in ARGV[1] (one Redis or a Sentinel pair; not Redis Cluster).
-- ARGV: 1 prefix, 2 session id, 3 resume token digest, 4 deadline ms
-- Reply: 1 parked | 0 unknown session
local sid, digest, deadline = ARGV[2], ARGV[3], ARGV[4]
local skey = p .. 's:' .. sid
local replica = redis.call('HGET', skey, 'replica')
if not replica then return 0 end
redis.call('HSET', skey, 'resume', digest)
redis.call('SREM', p .. 'r:' .. replica, sid)
redis.call('ZADD', p .. 'parked', deadline, sid)
return 1
