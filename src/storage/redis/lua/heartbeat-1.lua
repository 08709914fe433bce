--[[
  Marks a broker alive until now + ttl, on the Redis clock. Sets the expiry as given (a
  shorter ttl shortens it), unlike register-2.lua, which only raises it. Says whether the
  broker was unknown: then it had been reaped (or had left), and any inbox read it made
  before is stale (the reaper returned those items to their queues).

  Input:
    KEYS[1] brokers            restmq:brokers  (ZSET broker -> expiry ms)

    ARGV[1] ttl in ms (a whole number >= 1)
    ARGV[2] broker id

  Output:
    1 when the broker was not in the brokers ZSET (first heartbeat, or reaped or left since), else 0
]]
if redis.replicate_commands then
  redis.replicate_commands()
end
-- #include now_ms
-- #include fmt
return redis.call('ZADD', KEYS[1], fmt(now_ms() + tonumber(ARGV[1])), ARGV[2])
