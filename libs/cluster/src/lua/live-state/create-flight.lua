-- create-flight.lua: a new flight with its creator as only member, expiring unless joined.
-- KEYS: 1 s:<session>, 2 f:<code>, 3 flights
--   Keys found inside (a member's session, a network) come from ARGV[1], the live-state prefix: same hash tag.
-- ARGV: 1 prefix, 2 code, 3 room token, 4 session id, 5 ttl ms, 6 now ms
-- Reply: 'created' | 'code-taken' | 'already-in-flight' | 'no-session'
local code, room, sid, ttl, now = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6])
if redis.call('EXISTS', KEYS[1]) == 0 then return 'no-session' end
if inFlight(sid) then return 'already-in-flight' end
local fkey = KEYS[2]
if redis.call('EXISTS', fkey) == 1 then return 'code-taken' end
redis.call('HSET', fkey, 'room', room, 'members', sid)
redis.call('PEXPIRE', fkey, ttl)
redis.call('ZADD', KEYS[3], now + ttl, code)
redis.call('HSET', KEYS[1], 'flight', code)
return 'created'
