--[[
  Appends one or more values to a queue, in order, as the original's queue_add does for
  each value, but atomically and with bug R27 fixed (SADD on every call, status SET NX so
  a stopped queue stays stopped and a recreated counter does not restart it). The counter
  moves once (INCRBY) and the keys go onto the list in one LPUSH per chunk, newest at the
  head, so an old broker still RPOPs them oldest first.
  Then it announces the queue on the events channel, only when the queue has a live
  streaming consumer (on any broker): a queue nobody streams costs no notification.

  Input:
    KEYS[1] counter key        <q>:UUID     (INCRBY; never reset)
    KEYS[2] pending list       <q>:queue    (LPUSH at the head; consumers RPOP the tail)
    KEYS[3] queue set          QUEUESET
    KEYS[4] status key         queuestat::<q>
    KEYS[5] consumers          restmq:consumers:<q>  (ZSET member -> expiry ms)

    ARGV[1] queue name (the QUEUESET member)
    ARGV[2] message-key prefix <q>:  (the counter value is appended to it)
    ARGV[3] ttl in seconds, or "" for no expiry
    ARGV[4] events channel     restmq:events  (publishes "e <q>")
    ARGV[5..] the values, in order (at least one)

  Output:
    array of the new message keys, in the order of the values
]]
if redis.replicate_commands then
  redis.replicate_commands()
end
local first = 5
local n = #ARGV - first + 1
local last = redis.call('INCRBY', KEYS[1], n)
local out = {}
local chunk = 1000
for c = 0, n - 1, chunk do
  local ks = {}
  local kv = {}
  for j = c, math.min(c + chunk, n) - 1 do
    -- %d: plain digits even for big counters (Lua's tostring would switch to 1e+14 notation)
    local key = ARGV[2] .. string.format('%d', last - n + 1 + j)
    local value = ARGV[first + j]
    out[#out + 1] = key
    ks[#ks + 1] = key
    if ARGV[3] ~= '' then
      redis.call('SET', key, value, 'EX', ARGV[3])
    else
      kv[#kv + 1] = key
      kv[#kv + 1] = value
    end
  end
  if #kv > 0 then
    redis.call('MSET', unpack(kv))
  end
  redis.call('LPUSH', KEYS[2], unpack(ks))
end
redis.call('SADD', KEYS[3], ARGV[1])
redis.call('SET', KEYS[4], '1', 'NX')
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if #redis.call('ZRANGEBYSCORE', KEYS[5], '(' .. string.format('%d', now), '+inf', 'LIMIT', 0, 1) > 0 then
  redis.call('PUBLISH', ARGV[4], 'e ' .. ARGV[1])
end
return out
