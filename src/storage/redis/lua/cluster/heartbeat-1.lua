#!lua
--[[
  Marks a broker alive for one queue it serves until now + ttl (as lua/heartbeat-1.lua, per
  queue: the store sends one per queue the broker has registered on).

  Input:
    KEYS[1] brokers            {q}:brokers  (ZSET broker -> expiry ms)

    ARGV[1] ttl in ms (a whole number >= 1)
    ARGV[2] broker id

  Output:
    1 when the broker was unknown to this queue (reaped since), else 0
]]
local t = redis.call('TIME')
local expiry = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[1])
return redis.call('ZADD', KEYS[1], string.format('%d', expiry), ARGV[2])
