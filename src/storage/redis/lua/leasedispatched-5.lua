--[[
  Leases dispatched messages straight to their consumer (stream-contract.ts leaseDispatched):
  a leased stream's roundrobin turns, read from the caller's inbox. Each body is restored
  (with the expiry and SQS metadata it was dispatched with, as requeue-3.lua; passed: skipped) and leased as lease-8.lua leases: until now + lease ms,
  with the caller's token and attempts + 1. The key never goes back to <q>:queue, so no other
  broker's dispatch, take or lease can have it in between. A key whose body exists (back in its
  queue or leased already: a reaper returned the caller's inbox) or above the queue's counter
  (never issued) is skipped.

  Input:
    KEYS[1] counter key        <q>:UUID
    KEYS[2] leases             restmq:leased:<q>    (ZSET key -> deadline ms)
    KEYS[3] lease tokens       restmq:lease:<q>     (HASH key -> token)
    KEYS[4] attempts           restmq:attempts:<q>  (HASH key -> leases had)
    KEYS[5] leased queues      restmq:leasedqueues  (SET)

    ARGV[1] queue name
    ARGV[2] message-key prefix <q>:
    ARGV[3] lease in ms (a whole number >= 1)
    ARGV[4] SQS metadata suffix ":sqs"
    ARGV[5..] key1, value1, token1, expiry1, meta1, key2, ...  (each key <q>:<digits>; expiry:
              epoch ms, or '' for none; meta: SQS metadata, or '' for none)

  Output:
    {key1, token1, attempts1, key2, ...}  the leased ones, in the order given
]]
if redis.replicate_commands then
  redis.replicate_commands()
end
-- #include now_ms
-- #include fmt
local issued = tonumber(redis.call('GET', KEYS[1]) or '0')
local now = now_ms()
local deadline = fmt(now + tonumber(ARGV[3]))
local out = {}
for i = 5, #ARGV - 4, 5 do
  local key, token = ARGV[i], ARGV[i + 2]
  local n = tonumber(string.sub(key, #ARGV[2] + 1))
  local left = ARGV[i + 3] ~= '' and tonumber(ARGV[i + 3]) - now
  local px = left and {'PX', string.format('%d', left)} or {}
  if n and n <= issued and (not left or left > 0) and redis.call('SET', key, ARGV[i + 1], 'NX', unpack(px)) then
    if ARGV[i + 4] ~= '' then
      redis.call('SET', key .. ARGV[4], ARGV[i + 4], unpack(px))
    end
    redis.call('ZADD', KEYS[2], deadline, key)
    redis.call('HSET', KEYS[3], key, token)
    out[#out + 1] = key
    out[#out + 1] = token
    out[#out + 1] = redis.call('HINCRBY', KEYS[4], key, 1)
  end
end
if #out > 0 then
  redis.call('SADD', KEYS[5], ARGV[1])
end
return out
