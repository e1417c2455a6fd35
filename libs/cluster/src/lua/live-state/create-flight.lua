-- create-flight.lua: a new flight with its creator as only member, expiring unless joined.
-- KEYS: none. Keys are built from the prefix in ARGV[1] (one Redis or a Sentinel pair; not Redis Cluster).
-- ARGV: 1 prefix, 2 code, 3 room token, 4 session id, 5 ttl ms, 6 now ms
-- Reply: 'created' | 'code-taken' | 'already-in-flight' | 'no-session'
local code, room, sid, ttl, now = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6])
if redis.call('EXISTS', p .. 's:' .. sid) == 0 then return 'no-session' end
if inFlight(sid) then return 'already-in-flight' end
local fkey = p .. 'f:' .. code
if redis.call('EXISTS', fkey) == 1 then return 'code-taken' end
redis.call('HSET', fkey, 'room', room, 'members', sid)
redis.call('PEXPIRE', fkey, ttl)
redis.call('ZADD', p .. 'flights', now + ttl, code)
redis.call('HSET', p .. 's:' .. sid, 'flight', code)
return 'created'
