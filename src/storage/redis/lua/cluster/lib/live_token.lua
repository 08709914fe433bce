-- The token of a live lease on n, or nil when it is not leased, expired or nobody holds it.
local function live_token(K, n, now)
  local deadline = redis.call('ZSCORE', K.leased, n)
  if not deadline or tonumber(deadline) <= now then
    return nil
  end
  return redis.call('HGET', K.leaseTokens, n)
end
