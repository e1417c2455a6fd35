-- resume-session.lua: a session moves to a new replica with its credential: a parked one while its grace
-- lasts, or one another replica still holds (takeover). The credential is single-use: the digest is replaced.
-- KEYS: 1 s:<session>, 2 parked, 3 r:<new replica>
--   Keys found inside (the old replica's set, a member's session) come from ARGV[1], the prefix: same hash tag.
-- ARGV: 1 prefix, 2 session id, 3 resume digest, 4 next digest, 5 replica id, 6 now ms
-- Reply: {name, address, group, taken from ('' when parked), code?, token?, <flight peer's member>?} | nil
local sid, digest, nextDigest, rid, now = ARGV[2], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
local skey = KEYS[1]
local old = redis.call('HGET', skey, 'replica')
if not old or redis.call('HGET', skey, 'resume') ~= digest then return nil end
local deadline = redis.call('ZSCORE', KEYS[2], sid)
local takenFrom = ''
if deadline then
  if tonumber(deadline) <= now then return nil end
  redis.call('ZREM', KEYS[2], sid)
else
  takenFrom = old
end
redis.call('HSET', skey, 'resume', nextDigest, 'replica', rid)
redis.call('HDEL', skey, 'held')
redis.call('SREM', p .. 'r:' .. old, sid)
redis.call('SADD', KEYS[3], sid)
local s = redis.call('HMGET', skey, 'name', 'address', 'group')
local result = {s[1], s[2], s[3], takenFrom}
local code, list = inFlight(sid)
if code then
  result[5] = code
  result[6] = redis.call('HGET', p .. 'f:' .. code, 'room')
  for _, m in ipairs(list) do
    if m ~= sid then for _, field in ipairs(member(m)) do result[#result + 1] = field end end
  end
end
return result
