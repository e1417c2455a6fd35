-- restore-flight.lua: writes a session's flight membership back after Redis lost it.
-- KEYS: 1 s:<session>, 2 f:<code>, 3 flights
--   Keys found inside (a member's session, a network) come from ARGV[1], the live-state prefix: same hash tag.
-- ARGV: 1 prefix, 2 code, 3 room token, 4 session id, 5 ttl ms, 6 now ms
-- Reply: 'restored' | 'conflict' (the code now belongs to another flight, or it is full)
local code, room, sid, ttl, now = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6])
local fkey = KEYS[2]
local flight = redis.call('HMGET', fkey, 'room', 'members')
local list = split(flight[2])
if not flight[1] then
  redis.call('HSET', fkey, 'room', room, 'members', sid)
  redis.call('PEXPIRE', fkey, ttl)
  redis.call('ZADD', KEYS[3], now + ttl, code)
elseif flight[1] ~= room then
  return 'conflict'
elseif not contains(list, sid) then
  if #list >= 2 then return 'conflict' end
  list[#list + 1] = sid
  redis.call('HSET', fkey, 'members', table.concat(list, ' '))
  if #list == 2 then
    redis.call('PERSIST', fkey)
    redis.call('ZADD', KEYS[3], '+inf', code)
    for _, m in ipairs(list) do setBusy(m, true) end
  end
end
redis.call('HSET', KEYS[1], 'flight', code)
return 'restored'
