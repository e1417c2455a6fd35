-- remove-session.lua: a session is gone (or its parked grace ended): out of its flight, presence, replica.
-- KEYS: 1 s:<session>, 2 parked, 3 flights
--   Keys found inside (a member's session, a network, its outbox) come from ARGV[1], the prefix: same hash tag.
-- ARGV: 1 prefix, 2 session id, 3 flight ttl ms, 4 now ms, 5 '1' = only while parked,
--   6 owner: '' or the replica that must hold it live (a replica never ends a session it lost)
-- Reply: {name, replica, address, group, <leave-flight reply>...} | nil
local sid, ttl, now, onlyParked, owner = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5] == '1', ARGV[6]
local skey = KEYS[1]
local s = redis.call('HMGET', skey, 'name', 'replica', 'address', 'group')
if not s[1] then return nil end
local parked = redis.call('ZSCORE', KEYS[2], sid)
if (onlyParked and not parked) or (owner ~= '' and (parked or s[2] ~= owner)) then return nil end
if parked then redis.call('ZREM', KEYS[2], sid) end
local left = leave(sid, ttl, now, KEYS[3]) or {}
redis.call('HDEL', p .. 'n:' .. s[4], sid)
redis.call('SREM', p .. 'r:' .. s[2], sid)
redis.call('DEL', skey, p .. 'o:' .. sid)
local result = {s[1], s[2], s[3], s[4]}
for _, field in ipairs(left) do result[#result + 1] = field end
return result
