-- restore-session.lua: a replica writes one of its live sessions back after Redis lost or missed it, unless
-- the live state now gives it to another replica (its client took it over while this replica was cut off).
-- One that a survivor parked, taking this replica for dead, is still its own: its client never left.
-- KEYS: 1 s:<session>, 2 r:<replica>, 3 parked, 4 n:<group>
-- ARGV: 1 prefix, 2 session id, 3 name, 4 replica id, 5 address, 6 group, 7 resume digest
-- Reply: 1 written, confirmed or taken back from parking | 0 another replica's now
local sid, name, rid, address, group, digest = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local skey = KEYS[1]
local replica = redis.call('HGET', skey, 'replica')
if replica then
  if replica ~= rid then return 0 end
  redis.call('ZREM', KEYS[3], sid)
else
  redis.call('HSET', skey, 'name', name, 'replica', rid, 'address', address, 'group', group, 'resume', digest)
  redis.call('HSET', KEYS[4], sid, '0' .. name)
end
redis.call('SADD', KEYS[2], sid)
return 1
