-- join-flight.lua: the second member joins; the flight stops expiring, both members become busy.
-- KEYS: 1 s:<session>, 2 f:<code>, 3 flights
--   Keys found inside (a member's session, a network) come from ARGV[1], the live-state prefix: same hash tag.
-- ARGV: 1 prefix, 2 code, 3 session id
-- Reply: {'joined', room, <members: id, name, address, group>...} | {'not-found'} | {'full'}
--        | {'already-in-flight'} | {'no-session'}
local code, sid = ARGV[2], ARGV[3]
if redis.call('EXISTS', KEYS[1]) == 0 then return {'no-session'} end
if inFlight(sid) then return {'already-in-flight'} end
local fkey = KEYS[2]
local flight = redis.call('HMGET', fkey, 'room', 'members')
local list = split(flight[2])
if not flight[1] or #list == 0 then return {'not-found'} end
if #list >= 2 then return {'full'} end
local result = {'joined', flight[1]}
for _, m in ipairs(list) do for _, field in ipairs(member(m)) do result[#result + 1] = field end end
list[#list + 1] = sid
redis.call('HSET', fkey, 'members', table.concat(list, ' '))
redis.call('PERSIST', fkey)
redis.call('ZADD', KEYS[3], '+inf', code)
redis.call('HSET', KEYS[1], 'flight', code)
for _, m in ipairs(list) do setBusy(m, true) end
return result
