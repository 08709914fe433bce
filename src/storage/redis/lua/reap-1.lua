--[[
  Returns the inbox items of brokers that are gone to the front of their queues: either
  every broker whose heartbeat expired (reap), or one named broker (leave: its own inbox at
  a clean shutdown). Each inbox is walked from the newest item (head) to the oldest (tail),
  RPUSHing each key behind the previous one, so each queue gets its items back oldest at
  the tail, in FIFO order, ahead of what was already waiting. A broadcast item with copies
  > 1 is dropped: the other brokers' consumers got the message. A body that exists means the
  message is already back in its queue: skipped, never duplicated; one whose expiry (in the
  item, dispatch-7.lua) has passed is dropped, the others keep it, and their SQS metadata (in
  the item too, lib/inbox_item.lua) with the same expiry. The inbox is deleted and
  the broker forgotten; each queue that got something back is announced ("e <q>").

  Input:
    KEYS[1] brokers            restmq:brokers  (ZSET broker -> expiry ms)

    ARGV[1] inbox prefix       "restmq:inbox:"  (a broker id is appended to it)
    ARGV[2] pending suffix     ":queue"         (appended to a queue name)
    ARGV[3] events channel     restmq:events
    ARGV[4] a broker id to release (leave), or "" for every broker whose heartbeat expired
    ARGV[5] SQS metadata suffix ":sqs"

  Output:
    how many messages were returned to their queues
]]
if redis.replicate_commands then
  redis.replicate_commands()
end
-- #include now_ms
-- #include fmt
-- #include read_item
local gone
if ARGV[4] ~= '' then
  gone = {ARGV[4]}
else
  gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', fmt(now_ms()))
end

local now = now_ms()
local returned = 0
local touched = {}
local queues = {}
local chunk = 500
for _, b in ipairs(gone) do
  local inbox = ARGV[1] .. b
  local start = 0
  while true do
    local items = redis.call('LRANGE', inbox, start, start + chunk - 1)
    for _, item in ipairs(items) do
      local copies, expiry, q, key, value, meta = read_item(item, 1)
      local left = expiry ~= '' and expiry and tonumber(expiry) - now
      local px = left and {'PX', fmt(left)} or {}
      if copies == '1' and (not left or left > 0) and redis.call('SET', key, value, 'NX', unpack(px)) then
        if meta then
          redis.call('SET', key .. ARGV[5], meta, unpack(px))
        end
        redis.call('RPUSH', q .. ARGV[2], key)
        returned = returned + 1
        if not touched[q] then
          touched[q] = true
          queues[#queues + 1] = q
        end
      end
    end
    if #items < chunk then
      break
    end
    start = start + chunk
  end
  redis.call('DEL', inbox)
  redis.call('ZREM', KEYS[1], b)
end
for _, q in ipairs(queues) do
  redis.call('PUBLISH', ARGV[3], 'e ' .. q)
end
return returned
