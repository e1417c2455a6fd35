-- remove-session.lua: a session is gone (or its parked grace ended): out of its flight, presence, replica.
-- KEYS: 1 s:<session>, 2 parked, 3 flights
--   Keys found inside (a member's session, a network) come from ARGV[1], the live-state prefix: same hash tag.
-- ARGV: 1 prefix, 2 session id, 3 flight ttl ms, 4 now ms, 5 '1' = only while parked
-- Reply: {name, replica, address, group, <leave-flight reply>...} | nil
local sid, ttl, now, onlyParked = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5] == '1'
if redis.call('ZREM', KEYS[2], sid) == 0 and onlyParked then return nil end
local skey = KEYS[1]
local s = redis.call('HMGET', skey, 'name', 'replica', 'address', 'group')
if not s[1] then return nil end
local left = leave(sid, ttl, now, KEYS[3]) or {}
redis.call('HDEL', p .. 'n:' .. s[4], sid)
redis.call('SREM', p .. 'r:' .. s[2], sid)
redis.call('DEL', skey)
local result = {s[1], s[2], s[3], s[4]}
for _, field in ipairs(left) do result[#result + 1] = field end
return result
