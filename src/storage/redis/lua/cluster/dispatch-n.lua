#!lua
--[[
  Streaming delivery for one queue (as lua/dispatch-7.lua), into per-queue inboxes
  {q}:inbox:<broker>. A script may touch declared keys only, so the caller names the inboxes
  of the brokers it expects (the live ones of its last call, and its own first); when a live
  broker is missing from them, nothing changes and the reply names the live brokers, and the
  caller calls again with them. Due delayed messages join the queue first. Other brokers that receive items are woken with "w <broker>"
  on the queue's sharded channel.

  Input (the number of keys is given by the caller: -n):
    KEYS[1..20] the queue keys {q}:queue, :bodies, :expires, ... (lib/queue.lua QUEUE_KEY_NAMES)
    KEYS[21..] inboxes         {q}:inbox:<broker>  for ARGV[6..] in order; KEYS[21] the caller's

    ARGV[1] queue name
    ARGV[2] events channel     {q}:events
    ARGV[3] count (a whole number >= 0)
    ARGV[4] read: how many of the caller's oldest inbox items to return
    ARGV[5] how many broker ids follow (one per inbox key)
    ARGV[6..] broker ids; ARGV[6] is the caller

  Output:
    {dispatched, expired, item1, ...}  the caller's oldest `read` items of this queue

  An inbox item is "<stamp>\n<copies>\n<consumer>\n<q>\n<key>\n<value>": as in lua/dispatch-7.lua
  (copies "<copies>@<expiry>" for a body with a TTL, "#<length>" and the SQS metadata before the
  value for a message that has some: lua/lib/inbox_item.lua) after a stamp (the node's clock in µs at the dispatch), by which the store merges a broker's
  inboxes of several queues into one, oldest first. The metadata leaves {q}:sqsmeta with the
  body and comes back with it (requeue-20.lua, leasedispatched-20.lua, reap-n.lua).
    {-1, 0, broker1, ...}              the live brokers, when one had no declared inbox
]]
-- #include body_of
-- #include drop
-- #include fmt
-- #include inbox_item
-- #include lpush
-- #include now_ms
-- #include promote_due
-- #include queue_from
local K = queue_from(KEYS, ARGV[1])
local count = tonumber(ARGV[3])
local read = tonumber(ARGV[4])
local nb = tonumber(ARGV[5])
local inbox_of = {}
for i = 1, nb do
  inbox_of[ARGV[5 + i]] = KEYS[NQ + i]
end
local me = ARGV[6]

local function reply(dispatched, expired)
  local out = {dispatched, expired}
  if read > 0 then
    local items = redis.call('LRANGE', inbox_of[me], -read, -1)
    for j = #items, 1, -1 do
      out[#out + 1] = items[j]
    end
  end
  return out
end

if count <= 0 or redis.call('GET', K.status) == '0' then
  return reply(0, 0)
end
local now = now_ms()
promote_due(K, now)
redis.call('ZREMRANGEBYSCORE', K.consumers, '-inf', fmt(now))
local live, brokers, alive = {}, {}, {}
for _, m in ipairs(redis.call('ZRANGE', K.consumers, 0, -1)) do
  local b = string.match(m, '^([^/]*)/')
  if b and alive[b] == nil then
    local hb = redis.call('ZSCORE', K.brokers, b)
    alive[b] = hb ~= false and hb ~= nil and tonumber(hb) > now
    if alive[b] then
      brokers[#brokers + 1] = b
    end
  end
  if b and alive[b] then
    live[#live + 1] = m
  else
    redis.call('ZREM', K.consumers, m)
  end
end
if #live == 0 then
  return reply(0, 0)
end
local missing = false
for _, b in ipairs(brokers) do
  if not inbox_of[b] then
    missing = true
  end
end
if missing then
  local out = {-1, 0}
  for _, b in ipairs(brokers) do
    out[#out + 1] = b
  end
  return out
end

local messages = {}
local expired = 0
while #messages < count do
  local n = redis.call('RPOP', K.pending)
  if not n then
    break
  end
  local body = body_of(K, n, now)
  local expiry = body and redis.call('HGET', K.expires, n)
  local meta = body and redis.call('HGET', K.sqsMeta, n)
  drop(K, n)
  if body then
    messages[#messages + 1] = {K.q .. ':' .. n, body, expiry or nil, meta or nil}
  else
    expired = expired + 1
  end
end
if #messages == 0 then
  return reply(0, expired)
end

local t = redis.call('TIME')
local stamp = t[1] .. string.format('%06d', tonumber(t[2])) .. '\n'
local targets, order = {}, {}
local function item_of(copies, consumer, msg)
  return stamp .. inbox_item(copies, msg[3], consumer, K.q, msg[1], msg[2], msg[4])
end
if redis.call('GET', K.policy) == '2' then
  table.sort(live)
  local cursor = redis.call('INCRBY', K.rotation, #messages) - #messages
  for i, msg in ipairs(messages) do
    local m = live[(cursor + i - 1) % #live + 1]
    local b, c = string.match(m, '^([^/]*)/(.*)$')
    if not targets[b] then
      targets[b] = {}
      order[#order + 1] = b
    end
    local list = targets[b]
    list[#list + 1] = item_of('1', c, msg)
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
  lpush(inbox_of[b], targets[b])
  if b ~= me then
    redis.call('SPUBLISH', ARGV[2], 'w ' .. b)
  end
end
return reply(#messages, expired)
