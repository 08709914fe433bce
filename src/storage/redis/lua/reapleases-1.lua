--[[
  Settles every expired lease of the given queues (every queue in the leased-queues set when
  none is given): back to the front of the queue, attempts kept, or to the dead-letter queue
  once attempts reached max_attempts. Atomic, so brokers reaping at the same time never
  return a message twice.

  Input:
    KEYS[1] leased queues      restmq:leasedqueues  (SET of queue names)

    ARGV[1] layout             keys.ts LEASE_LAYOUT (JSON)
    ARGV[2] events channel     restmq:events
    ARGV[3..] queue names (none: every member of the leased-queues set)

  Output:
    {returned, dead}
]]
if redis.replicate_commands then
  redis.replicate_commands()
end
-- #include queue_keys
-- #include now_ms
-- #include reap_queue
local L = cjson.decode(ARGV[1])
local queues = {}
for i = 3, #ARGV do
  queues[#queues + 1] = ARGV[i]
end
if #queues == 0 then
  queues = redis.call('SMEMBERS', KEYS[1])
end
local now = now_ms()
local returned, dead = 0, 0
for _, q in ipairs(queues) do
  local back, gone = reap_queue(L, ARGV[2], queue_keys(L, q), now)
  returned = returned + back
  dead = dead + gone
end
return {returned, dead}
