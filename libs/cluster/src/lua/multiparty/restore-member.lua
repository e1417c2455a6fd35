-- restore-member.lua: writes a member (and its call) back after Redis lost them.
-- KEYS: none. Keys are built from the prefix in ARGV[1] (one Redis or a Sentinel pair; not Redis Cluster).
-- ARGV: 1 prefix, 2 room id, 3 session id, 4 username, 5 call id or '', 6 call starter, 7 call start ms
-- Reply: JSON (cjson); a roster is [room, version, [id, username, ...]], a call [id, room, by, at, members, version].
--        [roster, call or false]
local room, sid, username, cid, by, at = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
redis.call('HSET', p .. 'm:' .. room, sid, username)
redis.call('HSET', p .. 'mm:' .. sid, 'room', room)
redis.call('SADD', p .. 'mrooms', room)
local roster = bumpRoom(room)
local call = false
if cid ~= '' then
  local ckey = p .. 'c:' .. cid
  if redis.call('EXISTS', ckey) == 0 then
    redis.call('HSET', ckey, 'room', room, 'by', by, 'at', at, 'members', '')
    redis.call('SADD', p .. 'mc:' .. room, cid)
    redis.call('SADD', p .. 'calls', cid)
  end
  call = enterCall(cid, sid)
end
return cjson.encode({roster, call})
