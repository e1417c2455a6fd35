-- add-if-exists.lua: adds to a story only while it exists, so a late count never brings a told story back.
-- KEYS: 1 the story
-- ARGV: 1 command (HSET or HINCRBY), 2 field, 3 value, 4 optional second field (HSET), 5 its value
-- Reply: 1 added | 0 no story
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call(ARGV[1], KEYS[1], ARGV[2], ARGV[3])
if ARGV[4] then redis.call('HSET', KEYS[1], ARGV[4], ARGV[5]) end
return 1
