-- #include drop
-- Puts message n into the outbox, bound for queue `target` (another slot: cluster-moves.ts
-- copies it there, then deletes the outbox entry). Its move id is "<q>:<n>": a message leaves
-- its queue once, so the id is never reused. origin: the queue a dead letter died in, or ''.
-- The record (cluster-moves.ts parseMove) is "<target>\n<origin>\n<expiry>\n<m>\n<meta><body>":
-- m is the byte length of the SQS metadata that goes with the message, '' when it has none.
local function ship(K, n, target, origin, body, now)
  local e = redis.call('HGET', K.expires, n) or ''
  local meta = redis.call('HGET', K.sqsMeta, n)
  local m = meta and tostring(#meta) or ''
  redis.call('HSET', K.outbox, K.q .. ':' .. n, target .. '\n' .. origin .. '\n' .. e .. '\n' .. m .. '\n' .. (meta or '') .. body)
  drop(K, n)
end
