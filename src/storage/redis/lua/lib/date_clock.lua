-- #include fmt
-- Dates message number `first` in the clock ZSET (number -> enqueue ms) when the newest date
-- there is a second old or more, and trims dates below the one that dates the head of the
-- pending list (enqueue-9.lua's "Clock").
local function date_clock(clock, pending, first, now)
  local dated = redis.call('ZREVRANGE', clock, 0, 0)
  if #dated == 0 or now - tonumber(dated[1]) >= 1000 then
    redis.call('ZADD', clock, fmt(first), fmt(now))
    local head = redis.call('LINDEX', pending, -1)
    local seq = head and string.match(head, '(%d+)$')
    if seq then
      local keep = redis.call('ZREVRANGEBYSCORE', clock, seq, '-inf', 'WITHSCORES', 'LIMIT', 0, 1)
      if #keep == 2 then
        redis.call('ZREMRANGEBYSCORE', clock, '-inf', '(' .. keep[2])
      end
    end
  end
end
