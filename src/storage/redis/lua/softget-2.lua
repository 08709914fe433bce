--[[
  JSON `get` (soft get): the oldest message, left in place, with its soft-read count raised.
  A key at the tail whose body is gone (expired or deleted) is popped away and the next one
  is tried, so an expired head is never returned as null (fixing A.9 / R11). Due delayed
  messages join the queue first (lib/promote_due.lua).

  Input:
    KEYS[1] pending list       <q>:queue
    KEYS[2] delayed            restmq:delayed:<q>  (ZSET key -> due ms)

    ARGV[1] refcount suffix    ":refcount"  (appended to a message key)
    ARGV[2] SQS metadata suffix ":sqs"

  Output:
    {key, value, count}   count = times this message has been soft-read, 1 the first time
    false (nil reply)     when the queue holds no live message
]]
if redis.replicate_commands then
  redis.replicate_commands()
end
-- #include promote_due
promote_due(KEYS[2], KEYS[1], nil, ARGV[1], ARGV[2])
while true do
  local key = redis.call('LINDEX', KEYS[1], -1)
  if not key then
    return false
  end
  local body = redis.call('GET', key)
  if body then
    local n = redis.call('INCR', key .. ARGV[1])
    return {key, body, n}
  end
  redis.call('RPOP', KEYS[1])
  redis.call('DEL', key .. ARGV[1])
end
