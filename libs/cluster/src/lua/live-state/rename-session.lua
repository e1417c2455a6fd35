-- rename-session.lua: a new name, also on the network's presence list if the session is listed there.
-- KEYS: 1 s:<session>
--   Keys found inside (a member's session, a network) come from ARGV[1], the live-state prefix: same hash tag.
-- ARGV: 1 prefix, 2 session id, 3 name
-- Reply: {replica, address, group} | nil
local sid, name = ARGV[2], ARGV[3]
local skey = KEYS[1]
local s = redis.call('HMGET', skey, 'replica', 'address', 'group')
if not s[1] then return nil end
redis.call('HSET', skey, 'name', name)
local flag = redis.call('HGET', p .. 'n:' .. s[3], sid)
if flag then redis.call('HSET', p .. 'n:' .. s[3], sid, string.sub(flag, 1, 1) .. name) end
return s
