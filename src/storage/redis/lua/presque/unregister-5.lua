--[[
  Takes a presque worker off a queue. presque forgot the worker and its counters as soon as it
  left any one queue; here they go only once it is on no queue any more (a worker an old
  presque registered has no queue set: it goes at once, as there).

  Input: the keys and arguments of register-5.lua.

  Output:
    1 when the worker is gone, 0 when it is still on another queue
]]
redis.call('SREM', KEYS[2], ARGV[1])
redis.call('SREM', KEYS[3], ARGV[2])
if redis.call('SCARD', KEYS[3]) > 0 then
  return 0
end
redis.call('SREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
redis.call('HDEL', KEYS[5], ARGV[1])
return 1
