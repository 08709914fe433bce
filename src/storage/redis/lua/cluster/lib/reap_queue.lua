-- #include announce
-- #include fmt
-- #include promote_delayed
-- #include settle
-- Settles every expired lease, oldest message first; returned ones go back to the front in
-- FIFO order. Returns back, dead.
local function reap_queue(K, channel, dead_default, now)
  promote_delayed(K, channel, now)
  local due = redis.call('ZRANGEBYSCORE', K.leased, '-inf', fmt(now))
  if #due == 0 then
    return 0, 0
  end
  table.sort(due, by_number)
  local back, dead = {}, 0
  for _, n in ipairs(due) do
    local r = settle(K, dead_default, n, now)
    if r == 'back' then
      back[#back + 1] = n
    elseif r == 'dead' then
      dead = dead + 1
    end
  end
  for i = #back, 1, -1 do
    redis.call('RPUSH', K.pending, back[i])
  end
  if #back > 0 then
    announce(K, channel, now)
  end
  return #back, dead
end
