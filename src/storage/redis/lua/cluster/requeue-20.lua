#!lua
--[[
  Puts dispatched messages that were not written back at the front of their queue, oldest at
  the tail (as lua/requeue-3.lua), with the expiry they were dispatched with (passed: dropped)
  and their SQS metadata (into {q}:sqsmeta). A number whose body exists is still queued and is skipped;
  a number above the counter was never issued and is skipped too.

  Input:
    KEYS[1..20] the queue keys {q}:queue, :bodies, :expires, ... (lib/queue.lua QUEUE_KEY_NAMES)

    ARGV[1] queue name
    ARGV[2] events channel     {q}:events
    ARGV[3..] n1, value1, expiry1, meta1, n2, ...  oldest first (expiry: epoch ms, or '' for
              none; meta: SQS metadata, or '' for none)

  Output:
    how many messages were put back
]]
-- #include announce
-- #include now_ms
-- #include queue_from
-- #include store
local K = queue_from(KEYS, ARGV[1])
local now = now_ms()
local issued = tonumber(redis.call('GET', K.counter) or '0')
local back = 0
for i = #ARGV - 3, 3, -4 do
  local n = tonumber(ARGV[i])
  local expiry = ARGV[i + 2]
  if n and n <= issued and (expiry == '' or tonumber(expiry) > now)
    and redis.call('HEXISTS', K.bodies, ARGV[i]) == 0 then
    store(K, ARGV[i], ARGV[i + 1], expiry)
    if ARGV[i + 3] ~= '' then
      redis.call('HSET', K.sqsMeta, ARGV[i], ARGV[i + 3])
    end
    redis.call('RPUSH', K.pending, ARGV[i])
    back = back + 1
  end
end
if back > 0 then
  announce(K, ARGV[2], now)
end
return back
