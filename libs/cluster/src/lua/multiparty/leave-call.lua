-- leave-call.lua: a session leaves its call (ended when empty).
-- KEYS: 1 mm:<session>
--   Keys found inside (a call, the room of a session) come from ARGV[1], the multiparty prefix: same hash tag.
-- ARGV: 1 prefix, 2 session id
-- Reply: an array; a roster is {room, version, {id, username, ...}}, a call {id, room, by, at, members, version}.
--        {call or nil}
return {leaveCall(ARGV[2])}
