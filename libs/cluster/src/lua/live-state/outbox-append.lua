-- outbox-append.lua: keeps a message for a session no replica is delivering to (parked, or its replica not
-- answering), unless a replica holds it and is subscribed again (then the sender publishes once more).
-- KEYS: 1 s:<session>, 2 o:<session>
-- ARGV: 1 prefix, 2 cap, 3 ttl ms, 4 '1' = append even while held, 5 the encoded message
-- Reply: 'queued' | 'held' | 'full' | 'gone'
local cap, ttl, force, message = tonumber(ARGV[2]), ARGV[3], ARGV[4] == '1', ARGV[5]
if redis.call('EXISTS', KEYS[1]) == 0 then return 'gone' end
if not force and redis.call('HGET', KEYS[1], 'held') == '1' then return 'held' end
if redis.call('LLEN', KEYS[2]) >= cap then return 'full' end
redis.call('RPUSH', KEYS[2], message)
redis.call('PEXPIRE', KEYS[2], ttl)
return 'queued'
