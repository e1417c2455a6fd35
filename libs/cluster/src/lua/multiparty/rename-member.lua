-- rename-member.lua: a member's new username.
-- KEYS: 1 mm:<session>
--   Keys found inside (a call, the room of a session) come from ARGV[1], the multiparty prefix: same hash tag.
-- ARGV: 1 prefix, 2 session id, 3 username
-- Reply: an array; a roster is {room, version, {id, username, ...}}, a call {id, room, by, at, members, version}.
--        {roster or nil}
local sid, username = ARGV[2], ARGV[3]
local room = redis.call('HGET', KEYS[1], 'room')
if not room then return {false} end
redis.call('HSET', p .. 'm:' .. room, sid, username)
return {bumpRoom(room)}
