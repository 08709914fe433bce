-- LPUSH in chunks: unpack() has a limit on how many values it spreads.
local function lpush(key, items)
  for c = 1, #items, 1000 do
    redis.call('LPUSH', key, unpack(items, c, math.min(c + 999, #items)))
  end
end
