--[[
  Credits a presque worker with fetched or failed jobs, only while it is registered (so an
  unknown X-presque-workerid leaves nothing behind).

  Input:
    KEYS[1] every worker       workers
    KEYS[2] worker counters    workers:processed or workers:failed (HASH worker -> count)
    ARGV[1] worker id
    ARGV[2] how many

  Output:
    1 when credited, 0 when the worker is not registered
]]
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then
  return 0
end
redis.call('HINCRBY', KEYS[2], ARGV[1], ARGV[2])
return 1
