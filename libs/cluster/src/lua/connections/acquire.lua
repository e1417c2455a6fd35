-- acquire.lua: the address's open connections summed over every live replica; one more on this replica's count
-- unless that reaches the limit. Replicas whose count hash expired (dead) leave the registry.
-- KEYS: none. Keys are built from the prefix in ARGV[1] (one Redis or a Sentinel pair; not Redis Cluster).
-- ARGV: 1 prefix, 2 own replica id, 3 address, 4 limit, 5 ttl ms
-- Reply: 1 taken | 0 refused
local prefix, own, address, limit, ttl = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5]
local registry = prefix .. 'ipconn:replicas'
local total = 0
for _, id in ipairs(redis.call('SMEMBERS', registry)) do
  local key = prefix .. 'ipconn:' .. id
  if redis.call('EXISTS', key) == 0 then
    if id ~= own then redis.call('SREM', registry, id) end
  else
    total = total + tonumber(redis.call('HGET', key, address) or '0')
  end
end
if total >= limit then return 0 end
local ownKey = prefix .. 'ipconn:' .. own
redis.call('HINCRBY', ownKey, address, 1)
redis.call('PEXPIRE', ownKey, ttl)
redis.call('SADD', registry, own)
return 1
