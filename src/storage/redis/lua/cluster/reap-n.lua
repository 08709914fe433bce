#!lua
--[[
  Returns the inbox items of gone brokers to the front of this queue (as lua/reap-1.lua, per
  queue): either the named brokers whose expiry in the queue's brokers ZSET has passed (reap),
  or the named brokers unconditionally (leave). Each inbox is walked from the newest item to
  the oldest, RPUSHing each number behind the previous, so the items return oldest at the
  tail; a broadcast item with copies > 1 is dropped (other brokers' consumers got it); a body
  that exists means the message is queued already: skipped; the others get their expiry and
  SQS metadata back. The inbox is deleted and the broker forgotten by this queue. Items as in
  dispatch-n.lua (a stamp first).

  Input (the number of keys is given by the caller: -n):
    KEYS[1..20] the queue keys {q}:queue, :bodies, :expires, ... (lib/queue.lua QUEUE_KEY_NAMES)
    KEYS[21..] inboxes         {q}:inbox:<broker>  for ARGV[4..] in order

    ARGV[1] queue name
    ARGV[2] events channel     {q}:events
    ARGV[3] "1": release the named brokers (leave); "": only those that expired
    ARGV[4..] broker ids

  Output:
    how many messages were returned to the queue
]]
-- #include now_ms
-- #include num
-- #include queue_from
-- #include read_item
local K = queue_from(KEYS, ARGV[1])
local now = now_ms()
local returned = 0
for i = 4, #ARGV do
  local b = ARGV[i]
  local inbox = KEYS[NQ + i - 3]
  local hb = redis.call('ZSCORE', K.brokers, b)
  if ARGV[3] == '1' or (hb and tonumber(hb) <= now) then
    local start = 0
    while true do
      local items = redis.call('LRANGE', inbox, start, start + 499)
      for _, item in ipairs(items) do
        local stamped = string.find(item, '\n', 1, true)
        local copies, expiry, _, key, value, meta = read_item(item, (stamped or #item) + 1)
        local n = key and num(key)
        -- A message keeps the expiry it was dispatched with; passed, it is dropped.
        if copies == '1' and n and (expiry == '' or tonumber(expiry) > now) and redis.call('HSETNX', K.bodies, n, value) == 1 then
          if expiry ~= '' then
            redis.call('HSET', K.expires, n, expiry)
          end
          if meta then
            redis.call('HSET', K.sqsMeta, n, meta)
          end
          redis.call('RPUSH', K.pending, n)
          returned = returned + 1
        end
      end
      if #items < 500 then
        break
      end
      start = start + 500
    end
    redis.call('DEL', inbox)
    redis.call('ZREM', K.brokers, b)
  end
end
if returned > 0 then
  redis.call('SPUBLISH', ARGV[2], 'e ' .. K.q)
end
return returned
