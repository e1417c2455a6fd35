-- take.lua: reads a story and deletes it in one step, so exactly one replica tells it.
-- KEYS: 1 the story
-- ARGV: none
-- Reply: the story's fields and values (empty when none)
local story = redis.call('HGETALL', KEYS[1])
redis.call('DEL', KEYS[1])
return story
