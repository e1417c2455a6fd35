-- start-call.lua: a member starts a call in its room (leaving any call it was in).
-- KEYS: none. Keys are built from the prefix in ARGV[1] (one Redis or a Sentinel pair; not Redis Cluster).
-- ARGV: 1 prefix, 2 call id, 3 session id, 4 now ms
-- Reply: JSON (cjson); a roster is [room, version, [id, username, ...]], a call [id, room, by, at, members, version].
--        ['started', call, previous call or false] | ['not-in-room']
local cid, sid, now = ARGV[2], ARGV[3], ARGV[4]
local room = redis.call('HGET', p .. 'mm:' .. sid, 'room')
if not room then return cjson.encode({'not-in-room'}) end
local previous = leaveCall(sid)
redis.call('HSET', p .. 'c:' .. cid, 'room', room, 'by', sid, 'at', now, 'members', '')
redis.call('SADD', p .. 'mc:' .. room, cid)
redis.call('SADD', p .. 'calls', cid)
return cjson.encode({'started', enterCall(cid, sid), previous})
