-- #include drop
-- Puts message n into the outbox, bound for queue `target` (another slot: cluster-moves.ts
-- copies it there, then deletes the outbox entry). Its move id is "<q>:<n>": a message leaves
-- its queue once, so the id is never reused. origin: the queue a dead letter died in, or ''.
local function ship(K, n, target, origin, body, now)
  local e = redis.call('HGET', K.expires, n) or ''
  redis.call('HSET', K.outbox, K.q .. ':' .. n, target .. '\n' .. origin .. '\n' .. e .. '\n' .. body)
  drop(K, n)
end
