-- restore-member.lua: writes a member (and its call) back after Redis lost them.
-- KEYS: 1 m:<room>, 2 mm:<session>, 3 mrooms
--   Keys found inside (a call, the room of a session) come from ARGV[1], the multiparty prefix: same hash tag.
-- ARGV: 1 prefix, 2 room id, 3 session id, 4 username, 5 call id or '', 6 call starter, 7 call start ms
-- Reply: an array; a roster is {room, version, {id, username, ...}}, a call {id, room, by, at, members, version}.
--        {roster, call or nil}
local room, sid, username, cid, by, at = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
redis.call('HSET', KEYS[1], sid, username)
redis.call('HSET', KEYS[2], 'room', room)
redis.call('HSETNX', KEYS[2], 'at', nowMs())
redis.call('SADD', KEYS[3], room)
local roster = bumpRoom(room)
local call = false
if cid ~= '' then
  local ckey = p .. 'c:' .. cid
  if redis.call('EXISTS', ckey) == 0 then
    redis.call('HSET', ckey, 'room', room, 'by', by, 'at', at, 'members', '')
    redis.call('SADD', p .. 'mc:' .. room, cid)
    redis.call('SADD', p .. 'calls', cid)
  end
  call = enterCall(cid, sid)
end
return {roster, call}
