-- The per-queue keys every cluster script takes first, in this order.
local QUEUE_KEY_NAMES = {'pending', 'bodies', 'expires', 'refcounts', 'counter', 'status', 'policy', 'consumers',
  'leased', 'leaseTokens', 'attempts', 'settings', 'origin', 'delayed', 'clock', 'outbox', 'deadLettered',
  'rotation', 'brokers', 'sqsMeta'}
local NQ = #QUEUE_KEY_NAMES

local function queue_from(list, q)
  local K = {q = q}
  for i, name in ipairs(QUEUE_KEY_NAMES) do
    K[name] = list[i]
  end
  return K
end
