-- join-room.lua: a session joins a room (leaving its previous one), unless the room is at its cap.
-- KEYS: 1 mm:<session>, 2 m:<room>, 3 mrooms, 4 mc:<room>, 5 ma:<room>
--   Keys found inside (a call, the room of a session) come from ARGV[1], the multiparty prefix: same hash tag.
-- ARGV: 1 prefix, 2 room id, 3 session id, 4 username, 5 cap, 6 alias or ''
-- Reply: an array; a roster is {room, version, {id, username, ...}}, a call {id, room, by, at, members, version}.
--        {'joined', roster, {call...}, previous departure {roster, call} or nil} | {'full'}
local room, sid, username, cap, alias = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6]
local current = redis.call('HGET', KEYS[1], 'room')
local mkey = KEYS[2]
local rejoining = current == room
if not rejoining and redis.call('HLEN', mkey) >= cap then return {'full'} end
local previous = false
if current and not rejoining then previous = leaveRoom(sid) end
redis.call('HSET', mkey, sid, username)
if not rejoining then redis.call('HSET', KEYS[1], 'room', room, 'at', nowMs()) end
redis.call('SADD', KEYS[3], room)
if alias ~= '' then
  redis.call('HSET', KEYS[1], 'alias', alias)
  redis.call('HSET', KEYS[5], alias, sid)
end
local calls = {}
for _, cid in ipairs(redis.call('SMEMBERS', KEYS[4])) do calls[#calls + 1] = callState(cid) end
return {'joined', bumpRoom(room), calls, previous}
