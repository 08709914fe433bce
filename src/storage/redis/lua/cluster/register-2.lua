#!lua
--[[
  Registers or refreshes a broker's streaming consumers of one queue until now + ttl (as
  lua/register-2.lua), and raises the broker's expiry in the queue's brokers ZSET to at least
  the same: a broker with live registrations is always known to the queue's reaper.

  Input:
    KEYS[1] consumers          {q}:consumers  (ZSET "<broker>/<consumer>" -> expiry ms)
    KEYS[2] brokers            {q}:brokers    (ZSET broker -> expiry ms)

    ARGV[1] ttl in ms (a whole number >= 1)
    ARGV[2] broker id
    ARGV[3..] members "<broker>/<consumer>" (at least one)

  Output:
    1 when the broker was unknown to this queue (first registration, or reaped since), else 0
]]
local t = redis.call('TIME')
local expiry = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[1])
local score = string.format('%d', expiry)
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
