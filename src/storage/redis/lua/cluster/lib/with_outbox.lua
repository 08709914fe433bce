-- Appends the outbox (move id, record, ...) to out.
local function with_outbox(K, out)
  for _, v in ipairs(redis.call('HGETALL', K.outbox)) do
    out[#out + 1] = v
  end
  return out
end
