-- leave-room.lua: a session leaves its room and call.
-- KEYS: none. Keys are built from the prefix in ARGV[1] (one Redis or a Sentinel pair; not Redis Cluster).
-- ARGV: 1 prefix, 2 session id
-- Reply: JSON (cjson); a roster is [room, version, [id, username, ...]], a call [id, room, by, at, members, version].
--        [[roster, call or false] or false]
return cjson.encode({leaveRoom(ARGV[2])})
