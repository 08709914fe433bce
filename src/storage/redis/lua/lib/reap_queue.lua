-- #include fmt
-- #include older_first
-- #include promote_delayed
-- #include settle
-- #include announce
-- Settles every lease of Q whose deadline has passed, oldest message first: dead letters are
-- enqueued in that order, and returned keys are RPUSHed newest first so that the oldest ends
-- at the tail (FIFO among the returned, all before what was pending). Delayed messages that
-- are due are moved to the back of the queue first (promote_delayed; not counted).
-- Returns back, dead.
local function reap_queue(L, channel, Q, now)
  promote_delayed(L, channel, Q, now)
  local due = redis.call('ZRANGEBYSCORE', Q.leased, '-inf', fmt(now))
  if #due == 0 then
    return 0, 0
  end
  table.sort(due, older_first)
  local back, dead = {}, 0
  for _, key in ipairs(due) do
    local r = settle(L, channel, Q, key, now)
    if r == 'back' then
      back[#back + 1] = key
    elseif r == 'dead' then
      dead = dead + 1
    end
  end
  for i = #back, 1, -1 do
    redis.call('RPUSH', Q.pending, back[i])
  end
  if #back > 0 then
    announce(channel, Q.q, Q.consumers, now)
  end
  return #back, dead
end
