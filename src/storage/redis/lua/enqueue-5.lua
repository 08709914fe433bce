--[[
  Appends one or more values to a queue, in order, as the original's queue_add does for
  each value, but atomically and with bug R27 fixed (SADD on every call, status SET NX so
  a stopped queue stays stopped and a recreated counter does not restart it).

  Input:
    KEYS[1] counter key        <q>:UUID     (INCR; never reset)
    KEYS[2] pending list       <q>:queue    (LPUSH at the head; consumers RPOP the tail)
    KEYS[3] queue set          QUEUESET
    KEYS[4] status key         queuestat::<q>

    ARGV[1] queue name (the QUEUESET member)
    ARGV[2] message-key prefix <q>:  (the counter value is appended to it)
    ARGV[3] ttl in seconds, or "" for no expiry
    ARGV[4..] the values, in order (at least one)

  Output:
    array of the new message keys, in the order of the values
]]
local out = {}
for i = 4, #ARGV do
  local n = redis.call('INCR', KEYS[1])
  -- %d: plain digits even for big counters (Lua's tostring would switch to 1e+14 notation)
  local key = ARGV[2] .. string.format('%d', n)
  if ARGV[3] ~= '' then
    redis.call('SET', key, ARGV[i], 'EX', ARGV[3])
  else
    redis.call('SET', key, ARGV[i])
  end
  redis.call('LPUSH', KEYS[2], key)
  out[#out + 1] = key
end
redis.call('SADD', KEYS[3], ARGV[1])
redis.call('SET', KEYS[4], '1', 'NX')
return out
