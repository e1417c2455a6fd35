-- hide-from-presence.lua: keeps a session off its network's presence list (screen-share and chat sockets).
-- KEYS: 1 s:<session>
--   Keys found inside (a member's session, a network) come from ARGV[1], the live-state prefix: same hash tag.
-- ARGV: 1 prefix, 2 session id
-- Reply: 1
local sid = ARGV[2]
local group = redis.call('HGET', KEYS[1], 'group')
if group then redis.call('HDEL', p .. 'n:' .. group, sid) end
return 1
