-- The token of a live lease on key, or nil when it is not leased, expired or nobody holds it.
local function live_token(Q, key, now)
  local deadline = redis.call('ZSCORE', Q.leased, key)
  if not deadline or tonumber(deadline) <= now then
    return nil
  end
  return redis.call('HGET', Q.tokens, key)
end
