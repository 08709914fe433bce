--[[
  Moves every pending message of a dead-letter queue back to the queue it died in, oldest
  first, each as a new message there (so it is taken after what is already pending), and
  deletes the dead copy with its origin entry. A message with no recorded origin goes to
  the queue the default name implies (`<q>.dead` -> `<q>`); one with neither (or whose origin
  is the dead queue itself) stays, in order.
  Keys whose body is gone are dropped. Then origin entries whose message no longer exists
  (taken or removed meanwhile) are cleared.

  Input:
    KEYS[1] pending list       <dq>:queue
    KEYS[2] dead origins       restmq:origin:<dq>  (HASH dead key -> origin queue)

    ARGV[1] layout             keys.ts LEASE_LAYOUT (JSON)
    ARGV[2] events channel     restmq:events
    ARGV[3] dead-letter queue name
    ARGV[4] destination queue for every message ('' or absent: each message's origin)

  Output:
    how many messages were moved
]]
if redis.replicate_commands then
  redis.replicate_commands()
end
-- #include queue_keys
-- #include now_ms
-- #include forget
-- #include enqueue_one
local L = cjson.decode(ARGV[1])
local Q = queue_keys(L, ARGV[3])
Q.pending = KEYS[1]
Q.origin = KEYS[2]
local dead = L.dead
local implied = nil
if dead[1] == '' and #dead[2] > 0 and #ARGV[3] > #dead[2] and string.sub(ARGV[3], -#dead[2]) == dead[2] then
  implied = string.sub(ARGV[3], 1, #ARGV[3] - #dead[2])
end
local destination = ARGV[4] ~= '' and ARGV[4] or nil
local now = now_ms()
local moved = 0
local kept = {}
while true do
  local key = redis.call('RPOP', Q.pending)
  if not key then
    break
  end
  local body = redis.call('GET', key)
  local origin = destination or redis.call('HGET', Q.origin, key) or implied
  if not body then
    forget(L, Q, key)
  elseif not origin or origin == ARGV[3] then
    kept[#kept + 1] = key
  else
    local pttl = redis.call('PTTL', key)
    local meta = redis.call('GET', key .. L.meta)
    forget(L, Q, key)
    enqueue_one(L, ARGV[2], origin, body, pttl, now, meta)
    moved = moved + 1
  end
end
for _, key in ipairs(kept) do
  redis.call('LPUSH', Q.pending, key)
end
local fields = redis.call('HKEYS', Q.origin)
for _, key in ipairs(fields) do
  if redis.call('EXISTS', key) == 0 then
    redis.call('HDEL', Q.origin, key)
  end
end
return moved
