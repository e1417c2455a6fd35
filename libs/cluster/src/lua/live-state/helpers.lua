-- helpers.lua: shared by every live-state script (prepended by the loader).
-- Defines `p` (the live-state key prefix, ARGV[1], whose hash tag puts every key it builds in the slot of the
-- script's KEYS) and the functions split, contains, inFlight, setBusy, member, leave.
local p = ARGV[1]
local function split(members)
  local list = {}
  if members then for id in string.gmatch(members, '%S+') do list[#list + 1] = id end end
  return list
end
local function contains(list, id)
  for _, m in ipairs(list) do if m == id then return true end end
  return false
end
local function inFlight(sid)
  local code = redis.call('HGET', p .. 's:' .. sid, 'flight')
  if not code then return nil end
  local list = split(redis.call('HGET', p .. 'f:' .. code, 'members'))
  if contains(list, sid) then return code, list end
  return nil
end
-- Only for a session on its network's list: a hidden one (a screen-share or chat socket) stays hidden.
local function setBusy(sid, busy)
  local s = redis.call('HMGET', p .. 's:' .. sid, 'group', 'name')
  if s[1] and redis.call('HEXISTS', p .. 'n:' .. s[1], sid) == 1 then
    redis.call('HSET', p .. 'n:' .. s[1], sid, (busy and '1' or '0') .. s[2])
  end
end
local function member(sid)
  local s = redis.call('HMGET', p .. 's:' .. sid, 'name', 'address', 'group')
  return {sid, s[1] or '', s[2] or '', s[3] or ''}
end
-- Removes sid from its flight (counted in flightsKey); returns {code, room, remaining members flattened...} or nil.
local function leave(sid, ttl, now, flightsKey)
  local skey = p .. 's:' .. sid
  local code, list = inFlight(sid)
  redis.call('HDEL', skey, 'flight')
  if not code then return nil end
  local fkey = p .. 'f:' .. code
  local room = redis.call('HGET', fkey, 'room')
  local remaining = {}
  for _, m in ipairs(list) do if m ~= sid then remaining[#remaining + 1] = m end end
  local result = {code, room}
  if #remaining == 0 then
    redis.call('DEL', fkey)
    redis.call('ZREM', flightsKey, code)
  else
    redis.call('HSET', fkey, 'members', table.concat(remaining, ' '))
    redis.call('PEXPIRE', fkey, ttl)
    redis.call('ZADD', flightsKey, now + ttl, code)
    for _, m in ipairs(remaining) do
      setBusy(m, false)
      for _, field in ipairs(member(m)) do result[#result + 1] = field end
    end
  end
  setBusy(sid, false)
  return result
end
