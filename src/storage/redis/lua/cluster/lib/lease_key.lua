-- Leases one number taken off the pending list (lease-20.lua, leasefifo-20.lua): with its live
-- body, it is leased until `deadline` under `token` and appended to `out` as key, body, token,
-- attempts; without (its TTL ran out), it is dropped. Returns whether it was leased.
local function lease_key(K, n, now, token, deadline, out)
  local body = body_of(K, n, now)
  if not body then
    drop(K, n)
    return false
  end
  redis.call('ZADD', K.leased, deadline, n)
  redis.call('HSET', K.leaseTokens, n, token)
  out[#out + 1] = K.q .. ':' .. n
  out[#out + 1] = body
  out[#out + 1] = token
  out[#out + 1] = redis.call('HINCRBY', K.attempts, n, 1)
  return true
end
