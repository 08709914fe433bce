--[[
  Delayed messages of a queue (enqueue-9.lua): moves those that are due into the queue
  (lib/promote_due.lua) and says when the next one is due, so a broker can wake its
  consumers of the queue then (core/due-waker.ts) instead of at the reaper's next run.

  Input:
    KEYS[1] delayed            restmq:delayed:<q>  (ZSET key -> due ms)
    KEYS[2] pending list       <q>:queue

    ARGV[1] refcount suffix    ":refcount"
    ARGV[2] SQS metadata suffix ":sqs"

  Output:
    {promoted, next}  next: ms until the earliest delayed message left is due, -1 when none
]]
if redis.replicate_commands then
  redis.replicate_commands()
end
-- #include now_ms
-- #include promote_due
local now = now_ms()
local promoted = promote_due(KEYS[1], KEYS[2], now, ARGV[1], ARGV[2])
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #first == 0 then
  return {promoted, -1}
end
return {promoted, math.max(0, tonumber(first[2]) - now)}
