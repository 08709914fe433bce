-- #include lkey
-- #include promote_due
-- #include forget_queue_if_idle
-- #include announce
-- The reaper's promotion (promote_due), announced; the queue leaves the reaper's set once it
-- has neither leases nor delayed messages (also when a read promoted them first).
-- Returns how many were pushed.
local function promote_delayed(L, channel, Q, now)
  local pushed = promote_due(lkey(L, 'delayed', Q.q), Q.pending, now, L.refcount, L.meta)
  forget_queue_if_idle(L, Q)
  if pushed > 0 then
    announce(channel, Q.q, Q.consumers, now)
  end
  return pushed
end
