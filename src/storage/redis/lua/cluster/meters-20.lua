#!lua flags=no-writes
--[[
  The overview's figures of one queue (read only; as lua/meters-0.lua, whose per-queue loop
  cannot cross slots here: the store calls this once per queue, and reads the dead-letter
  queue's length itself). A due delayed message counts as ready, not delayed: the next read
  moves it into the queue (lib/promote_due.lua).

  Input:
    KEYS[1..20] the queue keys {q}:queue, :bodies, :expires, ... (lib/queue.lua QUEUE_KEY_NAMES)

    ARGV[1] queue name

  Output:
    {ready, status (1, 0, -1 none), policy (1, 2, -1 none), inflight, delayed, consumers,
     oldest age ms (-1 none), dead-lettered}
]]
-- #include fmt
-- #include now_ms
-- #include queue_from
local K = queue_from(KEYS, ARGV[1])
local now = now_ms()
local held = redis.call('HLEN', K.leaseTokens)
local leased = redis.call('ZCARD', K.leased)
local due = redis.call('ZCOUNT', K.delayed, '-inf', fmt(now))
local age = -1
local head = redis.call('LINDEX', K.pending, -1)
if head then
  local dated = redis.call('ZREVRANGEBYSCORE', K.clock, head, '-inf', 'LIMIT', 0, 1)
  if #dated == 0 then
    dated = redis.call('ZRANGE', K.clock, 0, 0)
  end
  if #dated > 0 then
    age = math.max(0, now - tonumber(dated[1]))
  end
end
return {
  redis.call('LLEN', K.pending) + due,
  tonumber(redis.call('GET', K.status) or '-1') or -1,
  tonumber(redis.call('GET', K.policy) or '-1') or -1,
  held,
  redis.call('ZCARD', K.delayed) - due + math.max(0, leased - held),
  redis.call('ZCOUNT', K.consumers, '(' .. fmt(now), '+inf'),
  age,
  tonumber(redis.call('GET', K.deadLettered) or '0') or 0,
}
