#!lua
--[[
  JSON `del` of one message: its number leaves the pending list (or the delayed ZSET) and its
  body and records are deleted (as lua/remove-2.lua).

  Input:
    KEYS[1..20] the queue keys {q}:queue, :bodies, :expires, ... (lib/queue.lua QUEUE_KEY_NAMES)

    ARGV[1] queue name
    ARGV[2] message number

  Output:
    1 if a live body existed (and was deleted), 0 otherwise
]]
-- #include body_of
-- #include drop
-- #include now_ms
-- #include queue_from
local K = queue_from(KEYS, ARGV[1])
local n = ARGV[2]
redis.call('LREM', K.pending, 0, n)
redis.call('ZREM', K.delayed, n)
local existed = body_of(K, n, now_ms()) and 1 or 0
drop(K, n)
return existed
