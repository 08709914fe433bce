#!lua
--[[
  Extends a live lease to now + lease ms (as lua/extend-2.lua); a stale token changes nothing.

  Input:
    KEYS[1..20] the queue keys {q}:queue, :bodies, :expires, ... (lib/queue.lua QUEUE_KEY_NAMES)

    ARGV[1] message number
    ARGV[2] token
    ARGV[3] lease in ms (a whole number >= 1)

  Output:
    1 when extended, 0 when the receipt is stale
]]
-- #include fmt
-- #include live_token
-- #include now_ms
-- #include queue_from
local K = queue_from(KEYS, '')
local now = now_ms()
if live_token(K, ARGV[1], now) ~= ARGV[2] then
  return 0
end
redis.call('ZADD', K.leased, 'XX', fmt(now + tonumber(ARGV[3])), ARGV[1])
return 1
