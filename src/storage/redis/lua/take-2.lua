--[[
  Removes and returns up to `count` oldest messages (hard get / JSON take). Each body is
  deleted in the same step (no orphan body keys, fixing R9/R10), with its soft-get refcount.
  Keys whose body is gone (TTL passed, or deleted by an old broker's JSON del) are dropped
  and counted; they do not use up `count`: popping goes on until `count` real messages are
  found or the list is empty.

  Input:
    KEYS[1] pending list       <q>:queue
    KEYS[2] status key         queuestat::<q>

    ARGV[1] count (a whole number >= 1)
    ARGV[2] refcount suffix    ":refcount"  (appended to a message key)

  Output:
    {stopped, expired, key1, value1, key2, value2, ...}
      stopped  1 when the status key holds "0" (then nothing is taken), else 0
      expired  how many keys without a body were dropped
]]
if redis.call('GET', KEYS[2]) == '0' then
  return {1, 0}
end
local count = tonumber(ARGV[1])
local out = {0, 0}
local expired = 0
local got = 0
while got < count do
  local key = redis.call('RPOP', KEYS[1])
  if not key then
    break
  end
  local body = redis.call('GET', key)
  redis.call('DEL', key, key .. ARGV[2])
  if body then
    out[#out + 1] = key
    out[#out + 1] = body
    got = got + 1
  else
    expired = expired + 1
  end
end
out[2] = expired
return out
