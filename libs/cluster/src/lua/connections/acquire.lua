-- acquire.lua: the address's open connections summed over every live replica; one more on this replica's count
-- unless that reaches the limit. Replicas whose count hash expired (dead) leave the registry.
-- KEYS: 1 replicas (the registry), 2 this replica's counts
--   Other replicas' counts come from ARGV[1], the connections prefix: same hash tag.
-- ARGV: 1 prefix, 2 own replica id, 3 address, 4 limit, 5 ttl ms
-- Reply: 1 taken | 0 refused
local prefix, own, address, limit, ttl = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5]
local registry, ownKey = KEYS[1], KEYS[2]
local total = 0
for _, id in ipairs(redis.call('SMEMBERS', registry)) do
  local key = prefix .. id
  if redis.call('EXISTS', key) == 0 then
    if id ~= own then redis.call('SREM', registry, id) end
  else
    total = total + tonumber(redis.call('HGET', key, address) or '0')
  end
end
if total >= limit then return 0 end
redis.call('HINCRBY', ownKey, address, 1)
redis.call('PEXPIRE', ownKey, ttl)
redis.call('SADD', registry, own)
return 1
