-- The Redis clock in epoch milliseconds (every broker sharing the Redis reads the same one).
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
