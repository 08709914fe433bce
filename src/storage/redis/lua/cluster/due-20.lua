#!lua
--[[
  Moves the queue's due delayed messages into it and says when the next one is due (as
  lua/due-2.lua).

  Input:
    KEYS[1..20] the queue keys {q}:queue, :bodies, :expires, ... (lib/queue.lua QUEUE_KEY_NAMES)

    ARGV[1] queue name

  Output:
    {promoted, next}  next: ms until the earliest delayed message left is due, -1 when none
]]
-- #include now_ms
-- #include promote_due
-- #include queue_from
local K = queue_from(KEYS, ARGV[1])
local now = now_ms()
local promoted = promote_due(K, now)
local first = redis.call('ZRANGE', K.delayed, 0, 0, 'WITHSCORES')
if #first == 0 then
  return {promoted, -1}
end
return {promoted, math.max(0, tonumber(first[2]) - now)}
