local function unlease(K, n)
  redis.call('ZREM', K.leased, n)
  redis.call('HDEL', K.leaseTokens, n)
end
