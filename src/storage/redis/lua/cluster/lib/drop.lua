-- Deletes everything kept about message n (not its place in a list or ZSET), its SQS metadata too.
local function drop(K, n)
  redis.call('HDEL', K.bodies, n)
  redis.call('HDEL', K.expires, n)
  redis.call('HDEL', K.refcounts, n)
  redis.call('HDEL', K.attempts, n)
  redis.call('HDEL', K.origin, n)
  redis.call('HDEL', K.sqsMeta, n)
end
