#!lua
--[[
  JSON `get`: the oldest live message, left in place, its soft-read count raised (as
  lua/softget-2.lua). Due delayed messages join the queue first; dead numbers at the tail are
  popped away.

  Input:
    KEYS[1..20] the queue keys {q}:queue, :bodies, :expires, ... (lib/queue.lua QUEUE_KEY_NAMES)

    ARGV[1] queue name

  Output:
    {key, value, count}, or false when no live message is pending
]]
-- #include body_of
-- #include drop
-- #include now_ms
-- #include promote_due
-- #include queue_from
local K = queue_from(KEYS, ARGV[1])
local now = now_ms()
promote_due(K, now)
while true do
  local n = redis.call('LINDEX', K.pending, -1)
  if not n then
    return false
  end
  local body = body_of(K, n, now)
  if body then
    return {K.q .. ':' .. n, body, redis.call('HINCRBY', K.refcounts, n, 1)}
  end
  redis.call('RPOP', K.pending)
  drop(K, n)
end
