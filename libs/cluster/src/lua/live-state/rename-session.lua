-- rename-session.lua: a new name, also on the network's presence list if the session is listed there.
-- KEYS: none. Keys are built from the prefix in ARGV[1] (one Redis or a Sentinel pair; not Redis Cluster).
-- ARGV: 1 prefix, 2 session id, 3 name
-- Reply: {replica, address, group} | nil
local sid, name = ARGV[2], ARGV[3]
local skey = p .. 's:' .. sid
local s = redis.call('HMGET', skey, 'replica', 'address', 'group')
if not s[1] then return nil end
redis.call('HSET', skey, 'name', name)
local flag = redis.call('HGET', p .. 'n:' .. s[3], sid)
if flag then redis.call('HSET', p .. 'n:' .. s[3], sid, string.sub(flag, 1, 1) .. name) end
return s
