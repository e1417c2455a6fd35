-- claim.lua: a job's run lock and its tick, both or neither.
-- KEYS: 1 the job's running lock, 2 the tick's lock
-- ARGV: 1 token, 2 longest run ms, 3 tick lock ms
-- Reply: 1 claimed | 0 another run or tick holds it
local running, tick, token, maxRun, interval = KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3]
if not redis.call('SET', running, token, 'NX', 'PX', maxRun) then return 0 end
if not redis.call('SET', tick, token, 'NX', 'PX', interval) then
  redis.call('DEL', running)
  return 0
end
return 1
