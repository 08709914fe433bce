-- #include fmt
-- "e <q>" on the events channel when the queue has a live consumer (as enqueue-9.lua).
local function announce(channel, q, consumers, now)
  if #redis.call('ZRANGEBYSCORE', consumers, '(' .. fmt(now), '+inf', 'LIMIT', 0, 1) > 0 then
    redis.call('PUBLISH', channel, 'e ' .. q)
  end
end
