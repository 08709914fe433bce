-- #include forget_queue_if_idle
-- Ends the lease bookkeeping of key (its attempts stay).
local function unlease(L, Q, key)
  redis.call('ZREM', Q.leased, key)
  redis.call('HDEL', Q.tokens, key)
  forget_queue_if_idle(L, Q)
end
