-- #include lkey
-- #include fmt
-- #include announce
-- Appends body to queue q as a new message, as enqueue-9.lua does (keeping what is left of
-- the old body's TTL, and its SQS metadata when it has some); returns its key.
local function enqueue_one(L, channel, q, body, pttl, now, meta)
  local n = redis.call('INCR', lkey(L, 'counter', q))
  local key = lkey(L, 'message', q) .. fmt(n)
  if pttl > 0 then
    redis.call('SET', key, body, 'PX', pttl)
    if meta then
      redis.call('SET', key .. L.meta, meta, 'PX', pttl)
    end
  else
    redis.call('SET', key, body)
    if meta then
      redis.call('SET', key .. L.meta, meta)
    end
  end
  redis.call('LPUSH', lkey(L, 'pending', q), key)
  redis.call('SADD', L.queueset, q)
  redis.call('SET', lkey(L, 'status', q), '1', 'NX')
  announce(channel, q, lkey(L, 'consumers', q), now)
  return key
end
