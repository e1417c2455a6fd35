-- leave-room.lua: a session leaves its room and call.
-- KEYS: 1 mm:<session>
--   Keys found inside (a call, the room of a session) come from ARGV[1], the multiparty prefix: same hash tag.
-- ARGV: 1 prefix, 2 session id
-- Reply: an array; a roster is {room, version, {id, username, ...}}, a call {id, room, by, at, members, version}.
--        {{roster, call or nil} or nil}
return {leaveRoom(ARGV[2])}
