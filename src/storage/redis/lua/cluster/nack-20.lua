#!lua
--[[
  Ends a lease early (as lua/nack-8.lua): back to the front of the queue at once, or shipped to
  the dead-letter queue through the outbox when attempts reached max_attempts; with a delay
  (and attempts below the maximum) the lease is kept, handed to nobody, until now + delay.

  Input:
    KEYS[1..20] the queue keys {q}:queue, :bodies, :expires, ... (lib/queue.lua QUEUE_KEY_NAMES)

    ARGV[1] queue name
    ARGV[2] events channel     {q}:events
    ARGV[3] default dead-letter queue name  <q>.dead
    ARGV[4] message number
    ARGV[5] token
    ARGV[6] delay in ms (0: none)

  Output:
    0 when the receipt is stale, 1 when done, 2 when done and the message is in the outbox
]]
-- #include announce
-- #include fmt
-- #include live_token
-- #include now_ms
-- #include queue_from
-- #include settle
local K = queue_from(KEYS, ARGV[1])
local n = ARGV[4]
local now = now_ms()
if live_token(K, n, now) ~= ARGV[5] then
  return 0
end
local delay = tonumber(ARGV[6])
local max = tonumber(redis.call('HGET', K.settings, 'max_attempts') or '')
local attempts = tonumber(redis.call('HGET', K.attempts, n) or '0')
if delay > 0 and not (max and attempts >= max) then
  redis.call('ZADD', K.leased, 'XX', fmt(now + delay), n)
  redis.call('HDEL', K.leaseTokens, n)
  return 1
end
local r = settle(K, ARGV[3], n, now)
if r == 'back' then
  redis.call('RPUSH', K.pending, n)
  announce(K, ARGV[2], now)
elseif r == 'dead' then
  return 2
end
return 1
