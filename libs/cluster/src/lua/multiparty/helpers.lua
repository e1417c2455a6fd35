-- helpers.lua: shared by every multiparty script (prepended by the loader).
-- Defines `p` (the multiparty key prefix, ARGV[1], whose hash tag puts every key it builds in the slot of the
-- script's KEYS) and nowMs, nextVersion, rosterOf, bumpRoom, callState, enterCall, leaveCall, leaveRoom.
-- Versions start from Redis' clock in microseconds, so they keep growing after Redis restarts empty; they travel
-- as strings, never as Lua numbers (doubles, which an integer reply would truncate).
local p = ARGV[1]
-- Redis' clock in ms, as a string (a join time, kept in mm:<session> `at`).
local function nowMs()
  local t = redis.call('TIME')
  return string.format('%.0f', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
end
local function nextVersion(current)
  local v = (tonumber(current) or 0) + 1
  local t = redis.call('TIME')
  local clock = tonumber(t[1]) * 1000000 + tonumber(t[2])
  if clock > v then v = clock end
  return string.format('%.0f', v)
end
local function rosterOf(room)
  return {room, redis.call('GET', p .. 'mv:' .. room) or '0', redis.call('HGETALL', p .. 'm:' .. room)}
end
local function bumpRoom(room)
  local vkey = p .. 'mv:' .. room
  redis.call('SET', vkey, nextVersion(redis.call('GET', vkey)))
  return rosterOf(room)
end
local function callState(cid)
  local c = redis.call('HMGET', p .. 'c:' .. cid, 'room', 'by', 'at', 'members', 'v')
  return {cid, c[1], c[2], c[3], c[4] or '', c[5]}
end
local function enterCall(cid, sid)
  local ckey = p .. 'c:' .. cid
  local c = redis.call('HMGET', ckey, 'members', 'v')
  local list, present = {}, false
  for id in string.gmatch(c[1] or '', '%S+') do
    list[#list + 1] = id
    if id == sid then present = true end
  end
  if not present then list[#list + 1] = sid end
  redis.call('HSET', ckey, 'members', table.concat(list, ' '), 'v', nextVersion(c[2]))
  redis.call('HSET', p .. 'mm:' .. sid, 'call', cid)
  return callState(cid)
end
local function leaveCall(sid)
  local mkey = p .. 'mm:' .. sid
  local cid = redis.call('HGET', mkey, 'call')
  if not cid then return false end
  redis.call('HDEL', mkey, 'call')
  local ckey = p .. 'c:' .. cid
  local c = redis.call('HMGET', ckey, 'room', 'by', 'at', 'members', 'v')
  if not c[1] then return false end
  local rest = {}
  for id in string.gmatch(c[4] or '', '%S+') do if id ~= sid then rest[#rest + 1] = id end end
  local v = nextVersion(c[5])
  if #rest == 0 then
    redis.call('DEL', ckey)
    redis.call('SREM', p .. 'mc:' .. c[1], cid)
    redis.call('SREM', p .. 'calls', cid)
  else
    redis.call('HSET', ckey, 'members', table.concat(rest, ' '), 'v', v)
  end
  return {cid, c[1], c[2], c[3], table.concat(rest, ' '), v}
end
local function leaveRoom(sid)
  local room = redis.call('HGET', p .. 'mm:' .. sid, 'room')
  if not room then return false end
  local call = leaveCall(sid)
  local alias = redis.call('HGET', p .. 'mm:' .. sid, 'alias')
  -- The alias goes with its holder only: a later member may have taken it over.
  if alias and redis.call('HGET', p .. 'ma:' .. room, alias) == sid then redis.call('HDEL', p .. 'ma:' .. room, alias) end
  redis.call('DEL', p .. 'mm:' .. sid)
  local mkey = p .. 'm:' .. room
  redis.call('HDEL', mkey, sid)
  local roster = bumpRoom(room)
  if redis.call('HLEN', mkey) == 0 then
    redis.call('DEL', p .. 'mv:' .. room)
    redis.call('SREM', p .. 'mrooms', room)
  end
  return {roster, call}
end
