#!lua
--[[
  Appends values to a queue, in order (as lua/enqueue-9.lua, in the cluster layout): one
  INCRBY, the bodies into the bodies hash, the numbers onto the pending list (or, with a
  delay, into the delayed ZSET), status SET NX, the enqueue clock sampled once a second, and
  "e <q>" on the queue's sharded channel when it has a live streaming consumer. The queue
  index (restmq:queues) and the leased-queues set live in other slots: the store SADDs them
  itself, outside this script. SQS metadata (sqs-contract.ts), when given, is written beside
  the (single) body in the sqsMeta hash, in this same step.

  Input:
    KEYS[1..20] the queue keys {q}:queue, :bodies, :expires, ... (lib/queue.lua QUEUE_KEY_NAMES)
    KEYS[21] dedup key         {q}:dedup:<id>  (read and written only when ARGV[5] is "1")

    ARGV[1] queue name
    ARGV[2] events channel     {q}:events
    ARGV[3] ttl in seconds, or "" for no expiry
    ARGV[4] delay in ms ("0": visible at once)
    ARGV[5] "1" to dedup on KEYS[21], "" for no dedup
    ARGV[6] dedup lifetime in seconds
    ARGV[7] SQS metadata of the value, or "" for none (single values only)
    ARGV[8..] the values, in order (at least one)

  Output:
    array of the new message keys "<q>:<n>"; with a dedup hit, the first message's key
]]
-- #include announce
-- #include fmt
-- #include now_ms
-- #include queue_from
local K = queue_from(KEYS, ARGV[1])
local dedup = ARGV[5] == '1'
if dedup then
  local seen = redis.call('GET', KEYS[21])
  if seen then
    return {ARGV[1] .. ':' .. seen}
  end
end
local first = 8
local n = #ARGV - first + 1
local delay = tonumber(ARGV[4]) or 0
local now = now_ms()
local expiry = nil
if ARGV[3] ~= '' then
  expiry = fmt(now + tonumber(ARGV[3]) * 1000)
end
local last = redis.call('INCRBY', K.counter, n)
local out = {}
for c = 0, n - 1, 1000 do
  local nums, kv, zs, ex = {}, {}, {}, {}
  for j = c, math.min(c + 1000, n) - 1 do
    local id = fmt(last - n + 1 + j)
    out[#out + 1] = ARGV[1] .. ':' .. id
    nums[#nums + 1] = id
    kv[#kv + 1] = id
    kv[#kv + 1] = ARGV[first + j]
    zs[#zs + 1] = fmt(now + delay)
    zs[#zs + 1] = id
    if expiry then
      ex[#ex + 1] = id
      ex[#ex + 1] = expiry
    end
  end
  redis.call('HSET', K.bodies, unpack(kv))
  if #ex > 0 then
    redis.call('HSET', K.expires, unpack(ex))
  end
  if delay > 0 then
    redis.call('ZADD', K.delayed, unpack(zs))
  else
    redis.call('LPUSH', K.pending, unpack(nums))
  end
end
if ARGV[7] ~= '' then
  redis.call('HSET', K.sqsMeta, fmt(last - n + 1), ARGV[7])
end
redis.call('SET', K.status, '1', 'NX')
if dedup then
  redis.call('SET', KEYS[21], fmt(last - n + 1), 'EX', ARGV[6])
end
local dated = redis.call('ZREVRANGE', K.clock, 0, 0)
if #dated == 0 or now - tonumber(dated[1]) >= 1000 then
  redis.call('ZADD', K.clock, fmt(last - n + 1), fmt(now))
  local head = redis.call('LINDEX', K.pending, -1)
  if head then
    local keep = redis.call('ZREVRANGEBYSCORE', K.clock, head, '-inf', 'WITHSCORES', 'LIMIT', 0, 1)
    if #keep == 2 then
      redis.call('ZREMRANGEBYSCORE', K.clock, '-inf', '(' .. keep[2])
    end
  end
end
if delay <= 0 then
  announce(K, ARGV[2], now)
end
return out
