-- #include drop
-- The body of message n, or nil when it is gone or its TTL has passed (then it is dropped,
-- unless readonly); second, its expiry as stored (epoch ms), false when it has no TTL.
local function body_of(K, n, now, readonly)
  local body = redis.call('HGET', K.bodies, n)
  if not body then
    return nil
  end
  local e = redis.call('HGET', K.expires, n)
  if e and tonumber(e) <= now then
    if not readonly then
      drop(K, n)
    end
    return nil
  end
  return body, e
end
