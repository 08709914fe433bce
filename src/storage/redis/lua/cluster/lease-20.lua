#!lua
--[[
  Leases up to `count` oldest ready messages (as lua/lease-8.lua): first this queue's expired
  leases are settled (back to the front, or shipped to the dead-letter queue through the
  outbox), then numbers are popped off the tail and recorded as leased until now + lease ms
  with the caller's token and attempts + 1; the body stays.

  Input:
    KEYS[1..20] the queue keys {q}:queue, :bodies, :expires, ... (lib/queue.lua QUEUE_KEY_NAMES)

    ARGV[1] queue name
    ARGV[2] events channel     {q}:events
    ARGV[3] default dead-letter queue name  <q>.dead
    ARGV[4] count (a whole number >= 0)
    ARGV[5] lease in ms (a whole number >= 1)
    ARGV[6..] one token per message to lease (at least `count`)

  Output:
    {stopped, expired, outbox, key1, value1, token1, attempts1, ...}
      outbox  entries waiting in the outbox (the store then moves them)
]]
-- #include body_of
-- #include drop
-- #include lease_key
-- #include fmt
-- #include now_ms
-- #include queue_from
-- #include reap_queue
local K = queue_from(KEYS, ARGV[1])
local now = now_ms()
reap_queue(K, ARGV[2], ARGV[3], now)
local waiting = redis.call('HLEN', K.outbox)
if redis.call('GET', K.status) == '0' then
  return {1, 0, waiting}
end
local count = tonumber(ARGV[4])
local deadline = fmt(now + tonumber(ARGV[5]))
local out = {0, 0, waiting}
local expired, got = 0, 0
while got < count do
  local n = redis.call('RPOP', K.pending)
  if not n then
    break
  end
  if lease_key(K, n, now, ARGV[6 + got], deadline, out) then
    got = got + 1
  else
    expired = expired + 1
  end
end
out[2] = expired
return out
