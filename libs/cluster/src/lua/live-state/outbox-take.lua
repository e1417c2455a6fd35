-- outbox-take.lua: the replica now subscribed for a session takes what was queued for it, oldest first, and
-- marks the session held (senders that find nobody subscribed publish again rather than queue).
-- KEYS: 1 s:<session>, 2 o:<session>
-- ARGV: 1 prefix
-- Reply: {message...} (empty when the session is unknown)
if redis.call('EXISTS', KEYS[1]) == 0 then return {} end
redis.call('HSET', KEYS[1], 'held', '1')
local messages = redis.call('LRANGE', KEYS[2], 0, -1)
redis.call('DEL', KEYS[2])
return messages
