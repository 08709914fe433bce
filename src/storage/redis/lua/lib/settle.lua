-- #include lkey
-- #include unlease
-- #include forget
-- #include enqueue_one
-- A lease of key ended (expiry or nack). When its attempts reached max_attempts the message
-- moves to the dead-letter queue as a new message; a message whose body is gone (TTL, or an
-- old broker's JSON del) is dropped. Returns 'back', 'dead' or 'gone'; on 'back' the caller
-- RPUSHes the key onto Q.pending (the tail: the front of the queue, taken next).
local function settle(L, channel, Q, key, now)
  unlease(L, Q, key)
  local body = redis.call('GET', key)
  if not body then
    forget(L, Q, key)
    return 'gone'
  end
  local max = tonumber(redis.call('HGET', Q.settings, 'max_attempts') or '')
  local attempts = tonumber(redis.call('HGET', Q.attempts, key) or '0')
  if max and attempts >= max then
    local dq = redis.call('HGET', Q.settings, 'dead_letter') or lkey(L, 'dead', Q.q)
    local pttl = redis.call('PTTL', key)
    local meta = redis.call('GET', key .. L.meta)
    forget(L, Q, key)
    local dead = enqueue_one(L, channel, dq, body, pttl, now, meta)
    redis.call('HSET', lkey(L, 'origin', dq), dead, Q.q)
    redis.call('HINCRBY', L.deadlettered, Q.q, 1)
    return 'dead'
  end
  return 'back'
end
