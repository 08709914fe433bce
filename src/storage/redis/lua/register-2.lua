--[[
  Registers or refreshes a broker's streaming consumers of one queue until now + ttl, on the
  Redis clock (brokers' clocks may differ). The broker's own heartbeat is raised to at least
  the same expiry (never lowered), so a broker with live registrations is always known to
  the reaper and its inbox can never be orphaned. As heartbeat-1.lua, says whether the
  broker was unknown (then an inbox read it made before is stale).

  Input:
    KEYS[1] consumers          restmq:consumers:<q>  (ZSET "<broker>/<consumer>" -> expiry ms)
    KEYS[2] brokers            restmq:brokers        (ZSET broker -> expiry ms)

    ARGV[1] ttl in ms (a whole number >= 1)
    ARGV[2] broker id
    ARGV[3..] members "<broker>/<consumer>" (at least one)

  Output:
    1 when the broker was not in the brokers ZSET (first registration, or reaped or left since), else 0
]]
if redis.replicate_commands then
  redis.replicate_commands()
end
-- #include now_ms
-- #include fmt
local expiry = now_ms() + tonumber(ARGV[1])
local score = fmt(expiry)
local args = {}
for i = 3, #ARGV do
  args[#args + 1] = score
  args[#args + 1] = ARGV[i]
end
for c = 1, #args, 1000 do
  redis.call('ZADD', KEYS[1], unpack(args, c, math.min(c + 999, #args)))
end
local hb = redis.call('ZSCORE', KEYS[2], ARGV[2])
if not hb or tonumber(hb) < expiry then
  redis.call('ZADD', KEYS[2], score, ARGV[2])
end
if hb then
  return 0
end
return 1
