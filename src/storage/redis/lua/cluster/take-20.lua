#!lua
--[[
  Removes and returns up to `count` oldest messages (as lua/take-5.lua): bodies and every
  record of each taken message go in the same step; numbers whose body is gone (TTL passed)
  are dropped and counted without using up `count`. Due delayed messages join the queue first.
  Each message comes with its expiry (the :expires field, read before the drop), so a caller
  that gives it back (requeue-20.lua) keeps its TTL.

  Input:
    KEYS[1..20] the queue keys {q}:queue, :bodies, :expires, ... (lib/queue.lua QUEUE_KEY_NAMES)

    ARGV[1] queue name
    ARGV[2] count (a whole number >= 1)

  Output:
    {stopped, expired, key1, value1, expiry1, ...}  stopped: 1 when the status key holds "0";
    expiry: when the TTL ends (epoch ms, the Redis clock), '' when the message has none
]]
-- #include body_of
-- #include drop
-- #include now_ms
-- #include promote_due
-- #include queue_from
local K = queue_from(KEYS, ARGV[1])
promote_due(K, now_ms())
if redis.call('GET', K.status) == '0' then
  return {1, 0}
end
local count = tonumber(ARGV[2])
local now = now_ms()
local out = {0, 0}
local expired, got = 0, 0
while got < count do
  local n = redis.call('RPOP', K.pending)
  if not n then
    break
  end
  local body, expiry = body_of(K, n, now)
  drop(K, n)
  if body then
    out[#out + 1] = K.q .. ':' .. n
    out[#out + 1] = body
    out[#out + 1] = expiry or ''
    got = got + 1
  else
    expired = expired + 1
  end
end
out[2] = expired
return out
