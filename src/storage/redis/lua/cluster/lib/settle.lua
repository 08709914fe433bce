-- #include body_of
-- #include drop
-- #include ship
-- #include unlease
-- A lease of n ended (expiry or nack): 'back' (the caller RPUSHes n onto K.pending), 'dead'
-- (attempts reached max_attempts: shipped to the dead-letter queue) or 'gone' (no body).
local function settle(K, dead_default, n, now)
  unlease(K, n)
  local body = body_of(K, n, now)
  if not body then
    drop(K, n)
    return 'gone'
  end
  local max = tonumber(redis.call('HGET', K.settings, 'max_attempts') or '')
  local attempts = tonumber(redis.call('HGET', K.attempts, n) or '0')
  if max and attempts >= max then
    local dq = redis.call('HGET', K.settings, 'dead_letter') or dead_default
    ship(K, n, dq, K.q, body, now)
    redis.call('INCR', K.deadLettered)
    return 'dead'
  end
  return 'back'
end
