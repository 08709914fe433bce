-- #include announce
-- #include body_of
-- #include by_number
-- #include drop
-- #include fmt
-- Delayed messages that are due join the back of the queue, in order of due time, then number.
local function promote_delayed(K, channel, now)
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
  if pushed > 0 then
    announce(K, channel, now)
  end
  return pushed
end
