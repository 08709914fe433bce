--[[
  Registers a presque worker on a queue, as presque does (SADD workers, SADD workers:<q>,
  counters set to 0: registering again resets them), and notes the queue among the worker's
  own (what unregister-5.lua counts).

  Input:
    KEYS[1] every worker       workers
    KEYS[2] the queue's        workers:<q>
    KEYS[3] the worker's queues (SET)
    KEYS[4] processed          workers:processed
    KEYS[5] failed             workers:failed
    ARGV[1] worker id
    ARGV[2] queue name

  Output:
    1
]]
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[2])
redis.call('HSET', KEYS[4], ARGV[1], 0)
redis.call('HSET', KEYS[5], ARGV[1], 0)
return 1
