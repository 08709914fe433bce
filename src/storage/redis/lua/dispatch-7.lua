--[[
  Streaming delivery (stream-contract.ts): moves up to `count` live messages of a queue out
  of it and into broker inboxes, per the queue's policy, then reads the caller's inbox.
  Nothing moves while the queue is stopped or nobody is registered: messages wait.
  A registration counts only while it and its broker's heartbeat are unexpired; those of a
  broker that is gone from the brokers ZSET (reaped, or left) or expired there are dropped,
  so nothing lands in an inbox that no reaper will ever look at again.
  Bodies leave as in take-2.lua: DEL with their refcount; keys without a body are dropped
  and counted, without using up `count`. Due delayed messages join the queue first
  (lib/promote_due.lua).

  An inbox item is "<copies>\n<consumer>\n<q>\n<key>\n<value>" (value last: it may hold
  newlines); a body with a TTL makes the first field "<copies>@<expiry, epoch ms>", and SQS
  metadata adds "#<its length>" there and goes before the value (lib/inbox_item.lua), so the
  message keeps its expiry and metadata when it goes back to its queue (requeue-3.lua,
  reap-1.lua, leasedispatched-5.lua). roundrobin (policy "2"): one item per message, for the consumer at the shared
  cursor over the sorted live members, into its broker's inbox. Broadcast (anything else):
  one item per message into the inbox of each distinct live broker, consumer empty, copies
  = the number of those brokers.

  Input:
    KEYS[1] pending list       <q>:queue
    KEYS[2] status key         queuestat::<q>
    KEYS[3] policy key         <q>:queuepolicy
    KEYS[4] consumers          restmq:consumers:<q>  (ZSET "<broker>/<consumer>" -> expiry ms)
    KEYS[5] rotation counter   restmq:rr:<q>
    KEYS[6] brokers            restmq:brokers        (ZSET broker -> expiry ms)
    KEYS[7] delayed            restmq:delayed:<q>    (ZSET key -> due ms)

    ARGV[1] count (a whole number >= 0)
    ARGV[2] read: how many of the caller's oldest inbox items to return (>= 0)
    ARGV[3] refcount suffix    ":refcount"
    ARGV[4] inbox prefix       "restmq:inbox:"  (a broker id is appended to it)
    ARGV[5] caller's broker id
    ARGV[6] events channel     restmq:events  (publishes "w <broker>" to other target brokers)
    ARGV[7] queue name
    ARGV[8] SQS metadata suffix ":sqs"  (deleted with the body, carried in the item)

  Output:
    {dispatched, expired, item1, item2, ...}  the caller's oldest `read` inbox items, oldest first
]]
if redis.replicate_commands then
  redis.replicate_commands()
end
local count = tonumber(ARGV[1])
local read = tonumber(ARGV[2])
local prefix = ARGV[4]
local me = ARGV[5]
local q = ARGV[7]

local function inbox(read_count)
  local out = {}
  if read_count > 0 then
    local items = redis.call('LRANGE', prefix .. me, -read_count, -1)
    for j = #items, 1, -1 do
      out[#out + 1] = items[j]
    end
  end
  return out
end

local function reply(dispatched, expired)
  local out = {dispatched, expired}
  for _, item in ipairs(inbox(read)) do
    out[#out + 1] = item
  end
  return out
end

-- LPUSH in chunks: unpack() has a limit on how many values it spreads.
local function lpush(key, items)
  for c = 1, #items, 1000 do
    redis.call('LPUSH', key, unpack(items, c, math.min(c + 999, #items)))
  end
end

if count <= 0 or redis.call('GET', KEYS[2]) == '0' then
  return reply(0, 0)
end

-- #include now_ms
-- #include fmt
-- #include pop_live
-- #include promote_due
-- #include inbox_item
local now = fmt(now_ms())
promote_due(KEYS[7], KEYS[1], tonumber(now), ARGV[3], ARGV[8])
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
local members = redis.call('ZRANGE', KEYS[4], 0, -1)
local live = {}
local brokers = {}
local alive = {}
for _, m in ipairs(members) do
  local b = string.match(m, '^([^/]*)/')
  if b and alive[b] == nil then
    local hb = redis.call('ZSCORE', KEYS[6], b)
    alive[b] = hb ~= false and hb ~= nil and tonumber(hb) > tonumber(now)
    if alive[b] then
      brokers[#brokers + 1] = b
    end
  end
  if b and alive[b] then
    live[#live + 1] = m
  else
    redis.call('ZREM', KEYS[4], m)
  end
end
if #live == 0 then
  return reply(0, 0)
end

local messages, expired = pop_live(KEYS[1], count, ARGV[3], ARGV[8], nil, true, true)
if #messages == 0 then
  return reply(0, expired)
end

local targets = {}
local order = {}
local function add(b, item)
  if not targets[b] then
    targets[b] = {}
    order[#order + 1] = b
  end
  local list = targets[b]
  list[#list + 1] = item
end

local function item_of(copies, consumer, msg)
  return inbox_item(copies, msg[3] and fmt(tonumber(now) + msg[3]), consumer, q, msg[1], msg[2], msg[4])
end

if redis.call('GET', KEYS[3]) == '2' then
  table.sort(live)
  local n = #live
  local cursor = redis.call('INCRBY', KEYS[5], #messages) - #messages
  for i, msg in ipairs(messages) do
    local m = live[(cursor + i - 1) % n + 1]
    local b, c = string.match(m, '^([^/]*)/(.*)$')
    add(b, item_of('1', c, msg))
  end
else
  table.sort(brokers)
  local copies = tostring(#brokers)
  local items = {}
  for i, msg in ipairs(messages) do
    items[i] = item_of(copies, '', msg)
  end
  for _, b in ipairs(brokers) do
    targets[b] = items
    order[#order + 1] = b
  end
end

for _, b in ipairs(order) do
  lpush(prefix .. b, targets[b])
  if b ~= me then
    redis.call('PUBLISH', ARGV[6], 'w ' .. b)
  end
end
return reply(#messages, expired)
