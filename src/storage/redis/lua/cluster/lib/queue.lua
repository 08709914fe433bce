-- Shared by the cluster scripts: scripts.ts pastes this file where a script says
-- "-- #include queue". Functions only, and no key names: every key is one of the script's
-- declared KEYS, gathered into the queue table K by queue_from (keys.ts clusterQueueKeys).
-- Messages are numbers n; a body is field n of K.bodies, its TTL (epoch ms) field n of K.expires.
local function fmt(n)
  return string.format('%d', n)
end

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- The per-queue keys every cluster script takes first, in this order.
local QUEUE_KEY_NAMES = {'pending', 'bodies', 'expires', 'refcounts', 'counter', 'status', 'policy', 'consumers',
  'leased', 'leaseTokens', 'attempts', 'settings', 'origin', 'delayed', 'clock', 'outbox', 'deadLettered',
  'rotation', 'brokers'}
local NQ = #QUEUE_KEY_NAMES

local function queue_from(list, q)
  local K = {q = q}
  for i, name in ipairs(QUEUE_KEY_NAMES) do
    K[name] = list[i]
  end
  return K
end

-- The message number of a key `<q>:<n>` (its trailing digits).
local function num(key)
  return string.match(key, '(%d+)$')
end

-- Deletes everything kept about message n (not its place in a list or ZSET).
local function drop(K, n)
  redis.call('HDEL', K.bodies, n)
  redis.call('HDEL', K.expires, n)
  redis.call('HDEL', K.refcounts, n)
  redis.call('HDEL', K.attempts, n)
  redis.call('HDEL', K.origin, n)
end

-- The body of message n, or nil when it is gone or its TTL has passed (then it is dropped,
-- unless readonly).
local function body_of(K, n, now, readonly)
  local body = redis.call('HGET', K.bodies, n)
  if not body then
    return nil
  end
  local e = redis.call('HGET', K.expires, n)
  if e and tonumber(e) <= now then
    if not readonly then
      drop(K, n)
    end
    return nil
  end
  return body
end

-- Writes the body of n; expiry: epoch ms, or nil / '' for none.
local function store(K, n, body, expiry)
  redis.call('HSET', K.bodies, n, body)
  if expiry and expiry ~= '' then
    redis.call('HSET', K.expires, n, expiry)
  end
end

-- "e <q>" on the queue's sharded channel when the queue has a live streaming consumer.
local function announce(K, channel, now)
  if #redis.call('ZRANGEBYSCORE', K.consumers, '(' .. fmt(now), '+inf', 'LIMIT', 0, 1) > 0 then
    redis.call('SPUBLISH', channel, 'e ' .. K.q)
  end
end

-- The token of a live lease on n, or nil when it is not leased, expired or nobody holds it.
local function live_token(K, n, now)
  local deadline = redis.call('ZSCORE', K.leased, n)
  if not deadline or tonumber(deadline) <= now then
    return nil
  end
  return redis.call('HGET', K.leaseTokens, n)
end

local function unlease(K, n)
  redis.call('ZREM', K.leased, n)
  redis.call('HDEL', K.leaseTokens, n)
end

-- Puts message n into the outbox, bound for queue `target` (another slot: cluster-moves.ts
-- copies it there, then deletes the outbox entry). Its move id is "<q>:<n>": a message leaves
-- its queue once, so the id is never reused. origin: the queue a dead letter died in, or ''.
local function ship(K, n, target, origin, body, now)
  local e = redis.call('HGET', K.expires, n) or ''
  redis.call('HSET', K.outbox, K.q .. ':' .. n, target .. '\n' .. origin .. '\n' .. e .. '\n' .. body)
  drop(K, n)
end

-- A lease of n ended (expiry or nack): 'back' (the caller RPUSHes n onto K.pending), 'dead'
-- (attempts reached max_attempts: shipped to the dead-letter queue) or 'gone' (no body).
local function settle(K, dead_default, n, now)
  unlease(K, n)
  local body = body_of(K, n, now)
  if not body then
    drop(K, n)
    return 'gone'
  end
  local max = tonumber(redis.call('HGET', K.settings, 'max_attempts') or '')
  local attempts = tonumber(redis.call('HGET', K.attempts, n) or '0')
  if max and attempts >= max then
    local dq = redis.call('HGET', K.settings, 'dead_letter') or dead_default
    ship(K, n, dq, K.q, body, now)
    redis.call('INCR', K.deadLettered)
    return 'dead'
  end
  return 'back'
end

local function by_number(a, b)
  return tonumber(a) < tonumber(b)
end

-- Delayed messages that are due join the back of the queue, in order of due time, then number.
local function promote_delayed(K, channel, now)
  local due = redis.call('ZRANGEBYSCORE', K.delayed, '-inf', fmt(now), 'WITHSCORES')
  if #due == 0 then
    return 0
  end
  local list = {}
  for i = 1, #due, 2 do
    list[#list + 1] = {due[i], tonumber(due[i + 1])}
  end
  table.sort(list, function(a, b)
    if a[2] ~= b[2] then
      return a[2] < b[2]
    end
    return by_number(a[1], b[1])
  end)
  local pushed = 0
  for _, e in ipairs(list) do
    redis.call('ZREM', K.delayed, e[1])
    if body_of(K, e[1], now) then
      redis.call('LPUSH', K.pending, e[1])
      pushed = pushed + 1
    else
      drop(K, e[1])
    end
  end
  if pushed > 0 then
    announce(K, channel, now)
  end
  return pushed
end

-- Settles every expired lease, oldest message first; returned ones go back to the front in
-- FIFO order. Returns back, dead.
local function reap_queue(K, channel, dead_default, now)
  promote_delayed(K, channel, now)
  local due = redis.call('ZRANGEBYSCORE', K.leased, '-inf', fmt(now))
  if #due == 0 then
    return 0, 0
  end
  table.sort(due, by_number)
  local back, dead = {}, 0
  for _, n in ipairs(due) do
    local r = settle(K, dead_default, n, now)
    if r == 'back' then
      back[#back + 1] = n
    elseif r == 'dead' then
      dead = dead + 1
    end
  end
  for i = #back, 1, -1 do
    redis.call('RPUSH', K.pending, back[i])
  end
  if #back > 0 then
    announce(K, channel, now)
  end
  return #back, dead
end

-- Appends the outbox (move id, record, ...) to out.
local function with_outbox(K, out)
  for _, v in ipairs(redis.call('HGETALL', K.outbox)) do
    out[#out + 1] = v
  end
  return out
end

-- LPUSH in chunks: unpack() has a limit on how many values it spreads.
local function lpush(key, items)
  for c = 1, #items, 1000 do
    redis.call('LPUSH', key, unpack(items, c, math.min(c + 999, #items)))
  end
end
