-- attach-room-channel.lua: a session takes the host or guest slot of a transfer-room channel.
-- KEYS: 1 rc:<code>:<channel>, 2 s:<session>
--   Keys found inside (a member's session, a network) come from ARGV[1], the live-state prefix: same hash tag.
-- ARGV: 1 prefix, 2 channel key (<code>:<channel>), 3 role, 4 session id, 5 ttl ms, 6 attachment description
-- Reply: {displaced session id or '', <other slot's member: id, name, address, group>?}
local key, role, sid, ttl, attachment = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6]
local ckey, skey = KEYS[1], KEYS[2]
if redis.call('EXISTS', skey) == 1 then redis.call('HSET', skey, 'attach', attachment) end
local previous = redis.call('HGET', ckey, role)
local displaced = ''
if previous and previous ~= sid and redis.call('EXISTS', p .. 's:' .. previous) == 1 then displaced = previous end
redis.call('HSET', ckey, role, sid)
redis.call('PEXPIRE', ckey, ttl)
local other = redis.call('HGET', ckey, role == 'host' and 'guest' or 'host')
local result = {displaced}
if other and redis.call('EXISTS', p .. 's:' .. other) == 1 then
  for _, v in ipairs(member(other)) do result[#result + 1] = v end
end
return result
