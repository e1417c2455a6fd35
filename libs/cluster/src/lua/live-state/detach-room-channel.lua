-- detach-room-channel.lua: a session gives up its slot, if it still holds it.
-- KEYS: 1 rc:<code>:<channel>
--   Keys found inside (a member's session, a network) come from ARGV[1], the live-state prefix: same hash tag.
-- ARGV: 1 prefix, 2 channel key, 3 role, 4 session id
-- Reply: {1} another session holds the slot (nothing changed) | {0, <other slot's member>?}
local key, role, sid = ARGV[2], ARGV[3], ARGV[4]
local ckey = KEYS[1]
local holder = redis.call('HGET', ckey, role)
if holder and holder ~= sid then return {1} end
if not holder then return {0} end
redis.call('HDEL', ckey, role)
local other = redis.call('HGET', ckey, role == 'host' and 'guest' or 'host')
local result = {0}
if other and redis.call('EXISTS', p .. 's:' .. other) == 1 then
  for _, v in ipairs(member(other)) do result[#result + 1] = v end
end
return result
