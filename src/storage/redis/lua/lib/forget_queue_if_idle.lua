-- #include lkey
-- Drops q from the set the reaper walks once it has neither leases nor delayed messages.
local function forget_queue_if_idle(L, Q)
  if redis.call('ZCARD', Q.leased) == 0 and redis.call('ZCARD', lkey(L, 'delayed', Q.q)) == 0 then
    redis.call('SREM', L.leasedqueues, Q.q)
  end
end
