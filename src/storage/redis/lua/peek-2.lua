--[[
  The oldest `count` live messages, oldest first, not consumed and not counted. It writes
  only to move due delayed messages into the queue first (lib/promote_due.lua), as a take would. Keys whose body is gone are skipped and the scan
  goes on towards the head until `count` live messages are found or the list ends.

  Input:
    KEYS[1] pending list       <q>:queue
    KEYS[2] delayed            restmq:delayed:<q>  (ZSET key -> due ms)

    ARGV[1] count (a whole number >= 1)
    ARGV[2] refcount suffix    ":refcount"
    ARGV[3] SQS metadata suffix ":sqs"

  Output:
    {key1, value1, key2, value2, ...}  (possibly empty)
]]
if redis.replicate_commands then
  redis.replicate_commands()
end
-- #include promote_due
promote_due(KEYS[2], KEYS[1], nil, ARGV[2], ARGV[3])
local want = tonumber(ARGV[1])
local len = redis.call('LLEN', KEYS[1])
local out = {}
local found = 0
local seen = 0
while found < want and seen < len do
  local n = math.min(want - found, len - seen)
  -- the tail is the oldest: read the n entries just before the `seen` already read
  local ks = redis.call('LRANGE', KEYS[1], -(seen + n), -(seen + 1))
  for j = #ks, 1, -1 do
    local body = redis.call('GET', ks[j])
    if body then
      out[#out + 1] = ks[j]
      out[#out + 1] = body
      found = found + 1
    end
  end
  seen = seen + n
end
return out
