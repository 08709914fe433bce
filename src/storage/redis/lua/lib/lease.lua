-- Shared by the lease scripts: scripts.ts pastes this file where a script says
-- "-- #include lease". Functions only: every key arrives as an argument, either a queue's
-- key table Q (from the script's own keys, or built by queue_keys) or the layout L
-- (keys.ts LEASE_LAYOUT: L[name] = {prefix, suffix} around a queue name).
local function fmt(n)
  return string.format('%d', n)
end

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function lkey(L, name, q)
  local t = L[name]
  return t[1] .. q .. t[2]
end

-- The eight per-queue keys, in the order every lease script receives them.
local QUEUE_KEY_NAMES = {'pending', 'status', 'leased', 'tokens', 'attempts', 'settings', 'consumers', 'origin'}

local function queue_from(list, q)
  local Q = {q = q}
  for i, name in ipairs(QUEUE_KEY_NAMES) do
    Q[name] = list[i]
  end
  return Q
end

local function queue_keys(L, q)
  local list = {}
  for i, name in ipairs(QUEUE_KEY_NAMES) do
    list[i] = lkey(L, name, q)
  end
  return queue_from(list, q)
end

-- As enqueue-5.lua: "e <q>" on the events channel when the queue has a live consumer.
local function announce(channel, q, consumers, now)
  if #redis.call('ZRANGEBYSCORE', consumers, '(' .. fmt(now), '+inf', 'LIMIT', 0, 1) > 0 then
    redis.call('PUBLISH', channel, 'e ' .. q)
  end
end

-- The token of a live lease on key, or nil when it is not leased, expired or nobody holds it.
local function live_token(Q, key, now)
  local deadline = redis.call('ZSCORE', Q.leased, key)
  if not deadline or tonumber(deadline) <= now then
    return nil
  end
  return redis.call('HGET', Q.tokens, key)
end

-- Drops q from the set the reaper walks once it has neither leases nor delayed messages.
local function forget_queue_if_idle(L, Q)
  if redis.call('ZCARD', Q.leased) == 0 and redis.call('ZCARD', lkey(L, 'delayed', Q.q)) == 0 then
    redis.call('SREM', L.leasedqueues, Q.q)
  end
end

-- Ends the lease bookkeeping of key (its attempts stay).
local function unlease(L, Q, key)
  redis.call('ZREM', Q.leased, key)
  redis.call('HDEL', Q.tokens, key)
  forget_queue_if_idle(L, Q)
end

-- Deletes a message for good: body, soft-get refcount, SQS metadata, attempts, dead-letter origin.
local function forget(L, Q, key)
  redis.call('DEL', key, key .. L.refcount, key .. L.meta)
  redis.call('HDEL', Q.attempts, key)
  redis.call('HDEL', Q.origin, key)
end

-- Appends body to queue q as a new message, as enqueue-5.lua does (keeping what is left of
-- the old body's TTL, and its SQS metadata when it has some); returns its key.
local function enqueue_one(L, channel, q, body, pttl, now, meta)
  local n = redis.call('INCR', lkey(L, 'counter', q))
  local key = lkey(L, 'message', q) .. fmt(n)
  if pttl > 0 then
    redis.call('SET', key, body, 'PX', pttl)
    if meta then
      redis.call('SET', key .. L.meta, meta, 'PX', pttl)
    end
  else
    redis.call('SET', key, body)
    if meta then
      redis.call('SET', key .. L.meta, meta)
    end
  end
  redis.call('LPUSH', lkey(L, 'pending', q), key)
  redis.call('SADD', L.queueset, q)
  redis.call('SET', lkey(L, 'status', q), '1', 'NX')
  announce(channel, q, lkey(L, 'consumers', q), now)
  return key
end

-- A lease of key ended (expiry or nack). When its attempts reached max_attempts the message
-- moves to the dead-letter queue as a new message; a message whose body is gone (TTL, or an
-- old broker's JSON del) is dropped. Returns 'back', 'dead' or 'gone'; on 'back' the caller
-- RPUSHes the key onto Q.pending (the tail: the front of the queue, taken next).
local function settle(L, channel, Q, key, now)
  unlease(L, Q, key)
  local body = redis.call('GET', key)
  if not body then
    forget(L, Q, key)
    return 'gone'
  end
  local max = tonumber(redis.call('HGET', Q.settings, 'max_attempts') or '')
  local attempts = tonumber(redis.call('HGET', Q.attempts, key) or '0')
  if max and attempts >= max then
    local dq = redis.call('HGET', Q.settings, 'dead_letter') or lkey(L, 'dead', Q.q)
    local pttl = redis.call('PTTL', key)
    local meta = redis.call('GET', key .. L.meta)
    forget(L, Q, key)
    local dead = enqueue_one(L, channel, dq, body, pttl, now, meta)
    redis.call('HSET', lkey(L, 'origin', dq), dead, Q.q)
    redis.call('HINCRBY', L.deadlettered, Q.q, 1)
    return 'dead'
  end
  return 'back'
end

-- The message number of a key (its trailing digits), compared as a whole number.
local function seq(key)
  return string.match(key, '(%d+)$') or ''
end

local function older_first(a, b)
  local x, y = seq(a), seq(b)
  if #x ~= #y then
    return #x < #y
  end
  return x < y
end

-- Messages enqueued with a delay (enqueue-9.lua) that are due join the back of the queue, as
-- if enqueued now: LPUSHed in order of due time, then of key. A key whose body is gone (TTL)
-- is dropped. Returns how many were pushed.
local function promote_delayed(L, channel, Q, now)
  local dk = lkey(L, 'delayed', Q.q)
  local due = redis.call('ZRANGEBYSCORE', dk, '-inf', fmt(now), 'WITHSCORES')
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
    return older_first(a[1], b[1])
  end)
  local pushed = 0
  for _, e in ipairs(list) do
    redis.call('ZREM', dk, e[1])
    if redis.call('EXISTS', e[1]) == 1 then
      redis.call('LPUSH', Q.pending, e[1])
      pushed = pushed + 1
    else
      redis.call('DEL', e[1] .. L.refcount, e[1] .. L.meta)
    end
  end
  forget_queue_if_idle(L, Q)
  if pushed > 0 then
    announce(channel, Q.q, Q.consumers, now)
  end
  return pushed
end

-- Settles every lease of Q whose deadline has passed, oldest message first: dead letters are
-- enqueued in that order, and returned keys are RPUSHed newest first so that the oldest ends
-- at the tail (FIFO among the returned, all before what was pending). Delayed messages that
-- are due are moved to the back of the queue first (promote_delayed; not counted).
-- Returns back, dead.
local function reap_queue(L, channel, Q, now)
  promote_delayed(L, channel, Q, now)
  local due = redis.call('ZRANGEBYSCORE', Q.leased, '-inf', fmt(now))
  if #due == 0 then
    return 0, 0
  end
  table.sort(due, older_first)
  local back, dead = {}, 0
  for _, key in ipairs(due) do
    local r = settle(L, channel, Q, key, now)
    if r == 'back' then
      back[#back + 1] = key
    elseif r == 'dead' then
      dead = dead + 1
    end
  end
  for i = #back, 1, -1 do
    redis.call('RPUSH', Q.pending, back[i])
  end
  if #back > 0 then
    announce(channel, Q.q, Q.consumers, now)
  end
  return #back, dead
end
