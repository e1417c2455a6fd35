-- rename-member.lua: a member's new username.
-- KEYS: none. Keys are built from the prefix in ARGV[1] (one Redis or a Sentinel pair; not Redis Cluster).
-- ARGV: 1 prefix, 2 session id, 3 username
-- Reply: JSON (cjson); a roster is [room, version, [id, username, ...]], a call [id, room, by, at, members, version].
--        [roster or false]
local sid, username = ARGV[2], ARGV[3]
local room = redis.call('HGET', p .. 'mm:' .. sid, 'room')
if not room then return cjson.encode({false}) end
redis.call('HSET', p .. 'm:' .. room, sid, username)
return cjson.encode({bumpRoom(room)})
