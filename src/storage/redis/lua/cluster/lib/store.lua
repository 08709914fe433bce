-- Writes the body of n; expiry: epoch ms, or nil / '' for none.
local function store(K, n, body, expiry)
  redis.call('HSET', K.bodies, n, body)
  if expiry and expiry ~= '' then
    redis.call('HSET', K.expires, n, expiry)
  end
end
