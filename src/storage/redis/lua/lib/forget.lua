-- Deletes a message for good: body, soft-get refcount, SQS metadata, attempts, dead-letter origin.
local function forget(L, Q, key)
  redis.call('DEL', key, key .. L.refcount, key .. L.meta)
  redis.call('HDEL', Q.attempts, key)
  redis.call('HDEL', Q.origin, key)
end
