-- #include lkey
-- #include fmt
-- #include older_first
-- #include forget_queue_if_idle
-- #include announce
-- Messages enqueued with a delay (enqueue-9.lua) that are due join the back of the queue, as
-- if enqueued now: LPUSHed in order of due time, then of key. A key whose body is gone (TTL)
-- is dropped. Returns how many were pushed.
local function promote_delayed(L, channel, Q, now)
  local dk = lkey(L, 'delayed', Q.q)
  local due = redis.call('ZRANGEBYSCORE', dk, '-inf', fmt(now), 'WITHSCORES')
  if #due == 0 then
    return 0
  end
  local list = {}
  for i = 1, #due, 2 do
    list[#list + 1] = {due[i], tonumber(due[i + 1])}
  end
  table.sort(list, function(a, b)
    if a[2] ~= b[2] then
      return a[2] < b[2]
    end
    return older_first(a[1], b[1])
  end)
  local pushed = 0
  for _, e in ipairs(list) do
    redis.call('ZREM', dk, e[1])
    if redis.call('EXISTS', e[1]) == 1 then
      redis.call('LPUSH', Q.pending, e[1])
      pushed = pushed + 1
    else
      redis.call('DEL', e[1] .. L.refcount, e[1] .. L.meta)
    end
  end
  forget_queue_if_idle(L, Q)
  if pushed > 0 then
    announce(channel, Q.q, Q.consumers, now)
  end
  return pushed
end
