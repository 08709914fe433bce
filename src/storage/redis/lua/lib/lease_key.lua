-- Leases one key taken off the pending list (lease-8.lua, leasefifo-8.lua): with its body, it
-- is leased until `deadline` under `token` and appended to `out` as key, body, token, attempts;
-- without (its TTL ran out), it is forgotten. Returns whether it was leased.
local function lease_key(L, Q, key, token, deadline, out)
  local body = redis.call('GET', key)
  if not body then
    forget(L, Q, key)
    return false
  end
  redis.call('ZADD', Q.leased, deadline, key)
  redis.call('HSET', Q.tokens, key, token)
  out[#out + 1] = key
  out[#out + 1] = body
  out[#out + 1] = token
  out[#out + 1] = redis.call('HINCRBY', Q.attempts, key, 1)
  return true
end
