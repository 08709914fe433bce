#!lua
--[[
  lease-20.lua for a FIFO queue (lease-contract.ts, as lua/leasefifo-8.lua): a message whose
  group (the `g` of its SQS metadata, field n of {q}:sqsmeta) has a message leased is
  skipped, and so is every later one of that group; messages of free groups, and messages
  without a group, are leased oldest first. Only the oldest `scan` pending numbers are looked
  at. Skipped numbers stay where they are.

  Input:
    KEYS[1..20] the queue keys {q}:queue, :bodies, :expires, ... (lib/queue.lua QUEUE_KEY_NAMES)

    ARGV[1] queue name
    ARGV[2] events channel     {q}:events
    ARGV[3] default dead-letter queue name  <q>.dead
    ARGV[4] count (a whole number >= 0)
    ARGV[5] lease in ms (a whole number >= 1)
    ARGV[6] scan: how many pending numbers to look at
    ARGV[7..] one token per message to lease (at least `count`)

  Output:
    {stopped, expired, outbox, key1, value1, token1, attempts1, ...} as lease-20.lua
]]
-- #include body_of
-- #include by_number
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

-- The message group of message n, or false.
local function group_of(n)
  local meta = redis.call('HGET', K.sqsMeta, n)
  if not meta then
    return false
  end
  local ok, m = pcall(cjson.decode, meta)
  if ok and type(m) == 'table' and type(m.g) == 'string' then
    return m.g
  end
  return false
end

-- Every leased number holds its group back, a nacked one waiting for its delay too.
local held = {}
for _, n in ipairs(redis.call('ZRANGE', K.leased, 0, -1)) do
  local g = group_of(n)
  if g then
    held[g] = true
  end
end

local count = tonumber(ARGV[4])
local deadline = fmt(now + tonumber(ARGV[5]))
local out = {0, 0, waiting}
local expired, got = 0, 0
-- The tail of {q}:queue is its oldest end.
local window = redis.call('LRANGE', K.pending, -tonumber(ARGV[6]), -1)
-- Messages go by their number, not their place: a nack or an expiry puts a message back at
-- the oldest end, so two of one group may be back in reverse order. Groups are looked up only
-- until `count` are leased.
table.sort(window, by_number)
for _, n in ipairs(window) do
  if got >= count then
    break
  end
  local g = group_of(n)
  if not (g and held[g]) then
    redis.call('LREM', K.pending, -1, n)
    if lease_key(K, n, now, ARGV[7 + got], deadline, out) then
      got = got + 1
    else
      expired = expired + 1
    end
  end
end
out[2] = expired
return out
