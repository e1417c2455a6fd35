-- leave-flight.lua: the session leaves its flight (deleted when empty, expiring again with one member).
-- KEYS: 1 s:<session>, 2 flights
--   Keys found inside (a member's session, a network) come from ARGV[1], the live-state prefix: same hash tag.
-- ARGV: 1 prefix, 2 session id, 3 ttl ms, 4 now ms
-- Reply: {code, room, <remaining members: id, name, address, group>...} | nil
return leave(ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), KEYS[2])
