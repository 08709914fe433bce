#!lua
--[[
  The oldest `count` live messages, oldest first, not consumed (as lua/peek-2.lua). It writes
  only to move due delayed messages into the queue first, as a take would.

  Input:
    KEYS[1..20] the queue keys {q}:queue, :bodies, :expires, ... (lib/queue.lua QUEUE_KEY_NAMES)

    ARGV[1] queue name
    ARGV[2] count (a whole number >= 1)

  Output:
    {key1, value1, ...}
]]
-- #include body_of
-- #include now_ms
-- #include promote_due
-- #include queue_from
local K = queue_from(KEYS, ARGV[1])
local want = tonumber(ARGV[2])
local now = now_ms()
promote_due(K, now)
local len = redis.call('LLEN', K.pending)
local out = {}
local found, seen = 0, 0
while found < want and seen < len do
  local c = math.min(want - found, len - seen)
  local ns = redis.call('LRANGE', K.pending, -(seen + c), -(seen + 1))
  for j = #ns, 1, -1 do
    local body = body_of(K, ns[j], now, true)
    if body then
      out[#out + 1] = K.q .. ':' .. ns[j]
      out[#out + 1] = body
      found = found + 1
    end
  end
  seen = seen + c
end
return out
