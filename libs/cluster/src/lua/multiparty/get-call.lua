-- get-call.lua: a call's state.
-- KEYS: 1 c:<call>
-- ARGV: 1 prefix, 2 call id
-- Reply: an array; a roster is {room, version, {id, username, ...}}, a call {id, room, by, at, members, version}.
--        {call or nil}
if redis.call('EXISTS', KEYS[1]) == 0 then return {false} end
return {callState(ARGV[2])}
