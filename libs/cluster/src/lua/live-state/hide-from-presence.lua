-- hide-from-presence.lua: keeps a session off its network's presence list (screen-share and chat sockets).
-- KEYS: none. Keys are built from the prefix in ARGV[1] (one Redis or a Sentinel pair; not Redis Cluster).
-- ARGV: 1 prefix, 2 session id
-- Reply: 1
local sid = ARGV[2]
local group = redis.call('HGET', p .. 's:' .. sid, 'group')
if group then redis.call('HDEL', p .. 'n:' .. group, sid) end
return 1
