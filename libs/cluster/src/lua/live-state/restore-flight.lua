-- restore-flight.lua: writes a session's flight membership back after Redis lost it.
-- KEYS: none. Keys are built from the prefix in ARGV[1] (one Redis or a Sentinel pair; not Redis Cluster).
-- ARGV: 1 prefix, 2 code, 3 room token, 4 session id, 5 ttl ms, 6 now ms
-- Reply: 'restored' | 'conflict' (the code now belongs to another flight, or it is full)
local code, room, sid, ttl, now = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6])
local fkey = p .. 'f:' .. code
local flight = redis.call('HMGET', fkey, 'room', 'members')
local list = split(flight[2])
if not flight[1] then
  redis.call('HSET', fkey, 'room', room, 'members', sid)
  redis.call('PEXPIRE', fkey, ttl)
  redis.call('ZADD', p .. 'flights', now + ttl, code)
elseif flight[1] ~= room then
  return 'conflict'
elseif not contains(list, sid) then
  if #list >= 2 then return 'conflict' end
  list[#list + 1] = sid
  redis.call('HSET', fkey, 'members', table.concat(list, ' '))
  if #list == 2 then
    redis.call('PERSIST', fkey)
    redis.call('ZADD', p .. 'flights', '+inf', code)
    for _, m in ipairs(list) do setBusy(m, true) end
  end
end
redis.call('HSET', p .. 's:' .. sid, 'flight', code)
return 'restored'
