-- roster.lua: a room's members and version.
-- KEYS: 1 m:<room>
--   Keys found inside (a call, the room of a session) come from ARGV[1], the multiparty prefix: same hash tag.
-- ARGV: 1 prefix, 2 room id
-- Reply: an array; a roster is {room, version, {id, username, ...}}, a call {id, room, by, at, members, version}.
--        {roster}
return {rosterOf(ARGV[2])}
