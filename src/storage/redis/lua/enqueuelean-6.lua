--[[
  enqueue-9.lua for the common case, one value with no delay, dedup, TTL or SQS metadata:
  the same writes, in the same layout, with fewer arguments to parse and the queue's
  registration (SADD QUEUESET, status SET NX) only when it may be missing: when the broker
  asks for it (it has not registered this queue since it started or since it deleted or
  unregistered it) or when the counter starts again at 1 (a new queue, or one another broker
  deleted: deletequeue-17.lua removes the counter with the registration).

  Input:
    KEYS[1] counter key        <q>:UUID
    KEYS[2] pending list       <q>:queue
    KEYS[3] queue set          QUEUESET
    KEYS[4] status key         queuestat::<q>
    KEYS[5] consumers          restmq:consumers:<q>
    KEYS[6] clock              restmq:clock:<q>

    ARGV[1] queue name
    ARGV[2] message-key prefix <q>:
    ARGV[3] events channel     restmq:events
    ARGV[4] "1" to register the queue whatever the counter says, "" otherwise
    ARGV[5] the value

  Output:
    the new message key
]]
if redis.replicate_commands then
  redis.replicate_commands()
end
-- #include now_ms
-- #include fmt
-- #include announce
-- #include date_clock
local now = now_ms()
local n = redis.call('INCR', KEYS[1])
local key = ARGV[2] .. fmt(n)
redis.call('SET', key, ARGV[5])
redis.call('LPUSH', KEYS[2], key)
if n == 1 or ARGV[4] == '1' then
  redis.call('SADD', KEYS[3], ARGV[1])
  redis.call('SET', KEYS[4], '1', 'NX')
end
date_clock(KEYS[6], KEYS[2], n, now)
announce(ARGV[3], ARGV[1], KEYS[5], now)
return key
