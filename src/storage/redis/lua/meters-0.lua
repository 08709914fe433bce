--[[
  Everything the queue overview and /metrics show of many queues, in one call (read only): a
  scrape of 1,000 queues is four calls of 250 instead of ~14,000 pipelined commands.

  The age of the oldest ready message comes from the clock ZSET that enqueue-9.lua samples:
  the date of the largest sampled message number at or below the head's (the tail of
  <q>:queue); a head older than every sample (returned from a lease, or written by an old
  broker) reads the oldest sample, a lower bound. A due delayed message counts as ready, not
  delayed: the next read moves it into the queue (lib/promote_due.lua).

  Input:
    ARGV[1] layout             keys.ts LEASE_LAYOUT (JSON)
    ARGV[2..] queue names

  Output:
    nine integers per queue, in the order asked:
      ready, status (1 started, 0 stopped, -1 none stored), policy (1 broadcast, 2 roundrobin,
      -1 none stored), inflight (leases with a token), delayed (delayed + nacked with a delay),
      dead (ready in <q>.dead), consumers (live registrations, every broker), oldest age in ms
      (-1: no ready message, or none dated), dead-lettered (ever, from this queue)
]]
if redis.replicate_commands then
  redis.replicate_commands()
end
-- #include lkey
-- #include now_ms
-- #include fmt
local L = cjson.decode(ARGV[1])
local now = now_ms()
local out = {}
for i = 2, #ARGV do
  local q = ARGV[i]
  local pending = lkey(L, 'pending', q)
  local held = redis.call('HLEN', lkey(L, 'tokens', q))
  local leased = redis.call('ZCARD', lkey(L, 'leased', q))
  local delayed = lkey(L, 'delayed', q)
  local due = redis.call('ZCOUNT', delayed, '-inf', fmt(now))
  local age = -1
  local head = redis.call('LINDEX', pending, -1)
  local seq = head and string.match(head, '(%d+)$')
  if seq then
    local clock = lkey(L, 'clock', q)
    local dated = redis.call('ZREVRANGEBYSCORE', clock, seq, '-inf', 'LIMIT', 0, 1)
    if #dated == 0 then
      dated = redis.call('ZRANGE', clock, 0, 0)
    end
    if #dated > 0 then
      age = math.max(0, now - tonumber(dated[1]))
    end
  end
  out[#out + 1] = redis.call('LLEN', pending) + due
  out[#out + 1] = tonumber(redis.call('GET', lkey(L, 'status', q)) or '-1') or -1
  out[#out + 1] = tonumber(redis.call('GET', lkey(L, 'policy', q)) or '-1') or -1
  out[#out + 1] = held
  out[#out + 1] = redis.call('ZCARD', delayed) - due + math.max(0, leased - held)
  out[#out + 1] = redis.call('LLEN', lkey(L, 'pending', lkey(L, 'dead', q)))
  out[#out + 1] = redis.call('ZCOUNT', lkey(L, 'consumers', q), '(' .. fmt(now), '+inf')
  out[#out + 1] = age
  out[#out + 1] = tonumber(redis.call('HGET', L.deadlettered, q) or '0') or 0
end
return out
