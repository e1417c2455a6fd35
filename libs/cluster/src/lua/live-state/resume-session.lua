-- resume-session.lua: a parked session moves to a new replica, once, with the right digest and in time.
-- KEYS: 1 s:<session>, 2 parked, 3 r:<new replica>
--   Keys found inside (a member's session, a network) come from ARGV[1], the live-state prefix: same hash tag.
-- ARGV: 1 prefix, 2 session id, 3 resume token digest, 4 replica id, 5 now ms
-- Reply: {name, address, group, code?, room?, <flight peer's member>?} | nil
local sid, digest, rid, now = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local deadline = redis.call('ZSCORE', KEYS[2], sid)
if not deadline or tonumber(deadline) <= now then return nil end
local skey = KEYS[1]
if redis.call('HGET', skey, 'resume') ~= digest then return nil end
redis.call('ZREM', KEYS[2], sid)
redis.call('HDEL', skey, 'resume')
redis.call('HSET', skey, 'replica', rid)
redis.call('SADD', KEYS[3], sid)
local s = redis.call('HMGET', skey, 'name', 'address', 'group')
local result = {s[1], s[2], s[3]}
local code, list = inFlight(sid)
if code then
  result[4] = code
  result[5] = redis.call('HGET', p .. 'f:' .. code, 'room')
  for _, m in ipairs(list) do
    if m ~= sid then for _, field in ipairs(member(m)) do result[#result + 1] = field end end
  end
end
return result
