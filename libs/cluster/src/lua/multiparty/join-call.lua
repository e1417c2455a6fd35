-- join-call.lua: a member of the call's room joins it.
-- KEYS: none. Keys are built from the prefix in ARGV[1] (one Redis or a Sentinel pair; not Redis Cluster).
-- ARGV: 1 prefix, 2 call id, 3 session id
-- Reply: JSON (cjson); a roster is [room, version, [id, username, ...]], a call [id, room, by, at, members, version].
--        ['joined', call, previous call or false] | ['not-found'] | ['not-in-room']
local cid, sid = ARGV[2], ARGV[3]
local room = redis.call('HGET', p .. 'c:' .. cid, 'room')
if not room then return cjson.encode({'not-found'}) end
local m = redis.call('HMGET', p .. 'mm:' .. sid, 'room', 'call')
if m[1] ~= room then return cjson.encode({'not-in-room'}) end
if m[2] == cid then return cjson.encode({'joined', callState(cid), false}) end
local previous = leaveCall(sid)
return cjson.encode({'joined', enterCall(cid, sid), previous})
