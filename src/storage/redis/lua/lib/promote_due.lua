-- #include fmt
-- #include now_ms
-- #include older_first
-- Delayed messages (enqueue-9.lua) that are due join the back of the queue, as if enqueued
-- now: LPUSHed in order of due time, then of key. A key whose body is gone (TTL) is dropped
-- with its refcount and SQS metadata. Every script that reads a queue's pending list calls it
-- first, so a due message is seen on time, not at the reaper's next run. A queue without
-- delayed messages costs one EXISTS (`now` nil: the clock is read only when there are some).
-- Returns how many were pushed.
local function promote_due(delayed, pending, now, refcount, meta)
  if redis.call('EXISTS', delayed) == 0 then
    return 0
  end
  local due = redis.call('ZRANGEBYSCORE', delayed, '-inf', fmt(now or now_ms()), 'WITHSCORES')
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
    redis.call('ZREM', delayed, e[1])
    if redis.call('EXISTS', e[1]) == 1 then
      redis.call('LPUSH', pending, e[1])
      pushed = pushed + 1
    else
      redis.call('DEL', e[1] .. refcount, e[1] .. meta)
    end
  end
  return pushed
end
