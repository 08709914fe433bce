-- #include body_of
-- #include by_number
-- #include drop
-- #include fmt
-- Delayed messages that are due join the back of the queue, in order of due time, then number.
-- Every script that reads the pending list calls it first, so a due message is seen on time,
-- not at the reaper's next run; when nothing is due it costs one ZRANGEBYSCORE.
-- Returns how many were pushed.
local function promote_due(K, now)
  local due = redis.call('ZRANGEBYSCORE', K.delayed, '-inf', fmt(now), 'WITHSCORES')
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
    return by_number(a[1], b[1])
  end)
  local pushed = 0
  for _, e in ipairs(list) do
    redis.call('ZREM', K.delayed, e[1])
    if body_of(K, e[1], now) then
      redis.call('LPUSH', K.pending, e[1])
      pushed = pushed + 1
    else
      drop(K, e[1])
    end
  end
  return pushed
end
