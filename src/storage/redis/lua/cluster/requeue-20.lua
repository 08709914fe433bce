#!lua
--[[
  Puts dispatched messages that were not written back at the front of their queue, oldest at
  the tail (as lua/requeue-3.lua). A number whose body exists is still queued and is skipped;
  a number above the counter was never issued and is skipped too.

  Input:
    KEYS[1..20] the queue keys {q}:queue, :bodies, :expires, ... (lib/queue.lua QUEUE_KEY_NAMES)

    ARGV[1] queue name
    ARGV[2] events channel     {q}:events  (empty: announces nothing; the caller leases them next)
    ARGV[3..] n1, value1, n2, value2, ...  oldest first

  Output:
    how many messages were put back
]]
-- #include announce
-- #include now_ms
-- #include queue_from
local K = queue_from(KEYS, ARGV[1])
local issued = tonumber(redis.call('GET', K.counter) or '0')
local back = 0
for i = #ARGV - 1, 3, -2 do
  local n = tonumber(ARGV[i])
  if n and n <= issued and redis.call('HSETNX', K.bodies, ARGV[i], ARGV[i + 1]) == 1 then
    redis.call('RPUSH', K.pending, ARGV[i])
    back = back + 1
  end
end
if back > 0 and ARGV[2] ~= '' then
  announce(K, ARGV[2], now_ms())
end
return back
