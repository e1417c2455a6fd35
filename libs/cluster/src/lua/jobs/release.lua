-- release.lua: gives the run lock back, only if the token still holds it.
-- KEYS: 1 the job's running lock
-- ARGV: 1 token
-- Reply: 1 released | 0 not held by this token
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
