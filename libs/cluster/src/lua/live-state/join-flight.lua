-- join-flight.lua: the second member joins; the flight stops expiring, both members become busy.
-- KEYS: none. Keys are built from the prefix in ARGV[1] (one Redis or a Sentinel pair; not Redis Cluster).
-- ARGV: 1 prefix, 2 code, 3 session id
-- Reply: {'joined', room, <members: id, name, address, group>...} | {'not-found'} | {'full'}
--        | {'already-in-flight'} | {'no-session'}
local code, sid = ARGV[2], ARGV[3]
if redis.call('EXISTS', p .. 's:' .. sid) == 0 then return {'no-session'} end
if inFlight(sid) then return {'already-in-flight'} end
local fkey = p .. 'f:' .. code
local flight = redis.call('HMGET', fkey, 'room', 'members')
local list = split(flight[2])
if not flight[1] or #list == 0 then return {'not-found'} end
if #list >= 2 then return {'full'} end
local result = {'joined', flight[1]}
for _, m in ipairs(list) do for _, field in ipairs(member(m)) do result[#result + 1] = field end end
list[#list + 1] = sid
redis.call('HSET', fkey, 'members', table.concat(list, ' '))
redis.call('PERSIST', fkey)
redis.call('ZADD', p .. 'flights', '+inf', code)
redis.call('HSET', p .. 's:' .. sid, 'flight', code)
for _, m in ipairs(list) do setBusy(m, true) end
return result
