#!lua
--[[
  Acknowledges a live lease: the message is deleted for good (as lua/ack-8.lua). A stale
  token changes nothing.

  Input:
    KEYS[1..20] the queue keys {q}:queue, :bodies, :expires, ... (lib/queue.lua QUEUE_KEY_NAMES)

    ARGV[1] queue name
    ARGV[2] message number
    ARGV[3] token

  Output:
    1 when acknowledged, 0 when the receipt is stale
]]
-- #include drop
-- #include live_token
-- #include now_ms
-- #include queue_from
-- #include unlease
local K = queue_from(KEYS, ARGV[1])
if live_token(K, ARGV[2], now_ms()) ~= ARGV[3] then
  return 0
end
unlease(K, ARGV[2])
drop(K, ARGV[2])
return 1
