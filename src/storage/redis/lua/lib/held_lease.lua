-- #include queue_keys
-- #include now_ms
-- #include live_token
-- The queue's keys Q and the time when token holds the live lease on key (a receipt that ack,
-- nack and the like may settle); nil when the receipt is stale.
local function held_lease(L, q, list, key, token)
  local Q = queue_keys(L, q, list)
  local now = now_ms()
  if live_token(Q, key, now) ~= token then
    return nil
  end
  return Q, now
end
