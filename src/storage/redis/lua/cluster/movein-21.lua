#!lua
--[[
  Step 1 of a move between queues (cluster-moves.ts): appends a message that left another
  queue's outbox to this queue, once, with its SQS metadata if it has some. The move marker
  remembers the number it got, so a repeated step 1 (after a crash before step 2 deleted the
  outbox entry) changes nothing.
  A body whose TTL has passed is not appended (the marker still records the move, as "0").

  Input:
    KEYS[1..20] the queue keys {q}:queue, :bodies, :expires, ... (lib/queue.lua QUEUE_KEY_NAMES)
    KEYS[21] move marker       {q}:move:<moveId>  (STRING, EX ARGV[6])

    ARGV[1] queue name
    ARGV[2] events channel     {q}:events
    ARGV[3] origin queue (a dead letter's), or ""
    ARGV[4] body expiry (epoch ms), or ""
    ARGV[5] body
    ARGV[6] marker lifetime in seconds
    ARGV[7] SQS metadata that goes with the message, or "" for none

  Output:
    the message number (0: expired), and whether it was new: {n, 1} or {n, 0}
]]
-- #include announce
-- #include fmt
-- #include now_ms
-- #include queue_from
-- #include store
local K = queue_from(KEYS, ARGV[1])
local seen = redis.call('GET', KEYS[21])
if seen then
  return {tonumber(seen), 0}
end
local now = now_ms()
if ARGV[4] ~= '' and tonumber(ARGV[4]) <= now then
  redis.call('SET', KEYS[21], '0', 'EX', ARGV[6])
  return {0, 1}
end
local n = fmt(redis.call('INCR', K.counter))
store(K, n, ARGV[5], ARGV[4])
redis.call('LPUSH', K.pending, n)
redis.call('SET', K.status, '1', 'NX')
if ARGV[3] ~= '' then
  redis.call('HSET', K.origin, n, ARGV[3])
end
if ARGV[7] ~= '' then
  redis.call('HSET', K.sqsMeta, n, ARGV[7])
end
redis.call('SET', KEYS[21], n, 'EX', ARGV[6])
announce(K, ARGV[2], now)
return {tonumber(n), 1}
