-- #include fmt
-- "e <q>" on the queue's sharded channel when the queue has a live streaming consumer.
local function announce(K, channel, now)
  if #redis.call('ZRANGEBYSCORE', K.consumers, '(' .. fmt(now), '+inf', 'LIMIT', 0, 1) > 0 then
    redis.call('SPUBLISH', channel, 'e ' .. K.q)
  end
end
