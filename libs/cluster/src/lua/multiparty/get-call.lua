-- get-call.lua: a call's state.
-- KEYS: none. Keys are built from the prefix in ARGV[1] (one Redis or a Sentinel pair; not Redis Cluster).
-- ARGV: 1 prefix, 2 call id
-- Reply: JSON (cjson); a roster is [room, version, [id, username, ...]], a call [id, room, by, at, members, version].
--        [call or false]
if redis.call('EXISTS', p .. 'c:' .. ARGV[2]) == 0 then return cjson.encode({false}) end
return cjson.encode({callState(ARGV[2])})
