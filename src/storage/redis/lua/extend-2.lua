--[[
  Extends a live lease: its deadline becomes now + lease ms. A token that is not the current
  one, or a lease past its deadline, is stale and changes nothing.

  Input:
    KEYS[1] leases             restmq:leased:<q>
    KEYS[2] lease tokens       restmq:lease:<q>

    ARGV[1] message key        <q>:<n>
    ARGV[2] token
    ARGV[3] lease in ms (a whole number >= 1)

  Output:
    1 when extended, 0 when the receipt is stale
]]
if redis.replicate_commands then
  redis.replicate_commands()
end
-- #include now_ms
-- #include fmt
local now = now_ms()
local deadline = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not deadline or tonumber(deadline) <= now or redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then
  return 0
end
redis.call('ZADD', KEYS[1], 'XX', fmt(now + tonumber(ARGV[3])), ARGV[1])
return 1
