-- get-call.lua: a call's state.
-- KEYS: 1 c:<call>
-- ARGV: 1 prefix, 2 call id
-- Reply: JSON (cjson); a roster is [room, version, [id, username, ...]], a call [id, room, by, at, members, version].
--        [call or false]
if redis.call('EXISTS', KEYS[1]) == 0 then return cjson.encode({false}) end
return cjson.encode({callState(ARGV[2])})
