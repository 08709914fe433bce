--[[
  lease-8.lua for a FIFO queue (lease-contract.ts): a message whose group (the `g` of its SQS
  metadata <key>:sqs) has a message leased is skipped, and so is every later one of that
  group; messages of free groups, and messages without a group, are leased oldest first.
  Only the oldest `scan` pending keys are looked at. Skipped keys stay where they are.

  Input:
    KEYS[1] pending list       <q>:queue
    KEYS[2] status key         queuestat::<q>
    KEYS[3] leases             restmq:leased:<q>    (ZSET key -> deadline ms)
    KEYS[4] lease tokens       restmq:lease:<q>     (HASH key -> token)
    KEYS[5] attempts           restmq:attempts:<q>  (HASH key -> leases had)
    KEYS[6] settings           restmq:settings:<q>  (HASH max_attempts, dead_letter)
    KEYS[7] consumers          restmq:consumers:<q> (ZSET; announces returned messages)
    KEYS[8] dead origins       restmq:origin:<q>    (HASH dead key -> origin queue)

    ARGV[1] layout             keys.ts LEASE_LAYOUT (JSON)
    ARGV[2] events channel     restmq:events
    ARGV[3] queue name
    ARGV[4] count (a whole number >= 0)
    ARGV[5] lease in ms (a whole number >= 1)
    ARGV[6] scan: how many pending keys to look at
    ARGV[7..] one token per message to lease (at least `count` of them)

  Output:
    {stopped, expired, key1, value1, token1, attempts1, key2, ...} as lease-8.lua
]]
if redis.replicate_commands then
  redis.replicate_commands()
end
-- #include queue_keys
-- #include now_ms
-- #include fmt
-- #include reap_queue
-- #include forget
-- #include lease_key
local L = cjson.decode(ARGV[1])
local Q = queue_keys(L, ARGV[3], KEYS)
local now = now_ms()
reap_queue(L, ARGV[2], Q, now)
if redis.call('GET', Q.status) == '0' then
  return {1, 0}
end

-- The message group of a key, or false.
local function group_of(key)
  local meta = redis.call('GET', key .. L.meta)
  if not meta then
    return false
  end
  local ok, m = pcall(cjson.decode, meta)
  if ok and type(m) == 'table' and type(m.g) == 'string' then
    return m.g
  end
  return false
end

-- Every leased key holds its group back, a nacked one waiting for its delay too.
local held = {}
for _, key in ipairs(redis.call('ZRANGE', Q.leased, 0, -1)) do
  local g = group_of(key)
  if g then
    held[g] = true
  end
end

local count = tonumber(ARGV[4])
local deadline = fmt(now + tonumber(ARGV[5]))
local out = {0, 0}
local expired, got = 0, 0
-- The tail of <q>:queue is its oldest end.
local window = redis.call('LRANGE', Q.pending, -tonumber(ARGV[6]), -1)
-- Messages go by their number, not their place: a nack or an expiry puts a message back at
-- the oldest end, so two of one group may be back in reverse order. Numbers are compared as
-- numbers (exact up to 2^53); groups are looked up only until `count` are leased.
local numbers = {}
for _, key in ipairs(window) do
  numbers[key] = tonumber(string.match(key, '(%d+)$'))
end
table.sort(window, function(a, b) return numbers[a] < numbers[b] end)
for _, key in ipairs(window) do
  if got >= count then
    break
  end
  local g = group_of(key)
  if not (g and held[g]) then
    redis.call('LREM', Q.pending, -1, key)
    if lease_key(L, Q, key, ARGV[7 + got], deadline, out) then
      got = got + 1
    else
      expired = expired + 1
    end
  end
end
if got > 0 then
  redis.call('SADD', L.leasedqueues, Q.q)
end
out[2] = expired
return out
