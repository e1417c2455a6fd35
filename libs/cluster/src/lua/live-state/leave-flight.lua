-- leave-flight.lua: the session leaves its flight (deleted when empty, expiring again with one member).
-- KEYS: none. Keys are built from the prefix in ARGV[1] (one Redis or a Sentinel pair; not Redis Cluster).
-- ARGV: 1 prefix, 2 session id, 3 ttl ms, 4 now ms
-- Reply: {code, room, <remaining members: id, name, address, group>...} | nil
return leave(ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]))
