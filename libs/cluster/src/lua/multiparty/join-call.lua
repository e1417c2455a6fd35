-- join-call.lua: a member of the call's room joins it.
-- KEYS: 1 c:<call>, 2 mm:<session>
--   Keys found inside (a call, the room of a session) come from ARGV[1], the multiparty prefix: same hash tag.
-- ARGV: 1 prefix, 2 call id, 3 session id
-- Reply: an array; a roster is {room, version, {id, username, ...}}, a call {id, room, by, at, members, version}.
--        {'joined', call, previous call or nil} | {'not-found'} | {'not-in-room'}
local cid, sid = ARGV[2], ARGV[3]
local room = redis.call('HGET', KEYS[1], 'room')
if not room then return {'not-found'} end
local m = redis.call('HMGET', KEYS[2], 'room', 'call')
if m[1] ~= room then return {'not-in-room'} end
if m[2] == cid then return {'joined', callState(cid), false} end
local previous = leaveCall(sid)
return {'joined', enterCall(cid, sid), previous}
