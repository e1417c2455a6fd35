-- start-call.lua: a member starts a call in its room (leaving any call it was in).
-- KEYS: 1 mm:<session>, 2 c:<call>, 3 calls
--   Keys found inside (a call, the room of a session) come from ARGV[1], the multiparty prefix: same hash tag.
-- ARGV: 1 prefix, 2 call id, 3 session id, 4 now ms
-- Reply: an array; a roster is {room, version, {id, username, ...}}, a call {id, room, by, at, members, version}.
--        {'started', call, previous call or nil} | {'not-in-room'}
local cid, sid, now = ARGV[2], ARGV[3], ARGV[4]
local room = redis.call('HGET', KEYS[1], 'room')
if not room then return {'not-in-room'} end
local previous = leaveCall(sid)
redis.call('HSET', KEYS[2], 'room', room, 'by', sid, 'at', now, 'members', '')
redis.call('SADD', p .. 'mc:' .. room, cid)
redis.call('SADD', KEYS[3], cid)
return {'started', enterCall(cid, sid), previous}
