#!lua
--[[
  Leases dispatched messages straight to their consumer (as lua/leasedispatched-5.lua): each
  body is restored (with the expiry and SQS metadata it was dispatched with, as requeue-20.lua; passed: skipped) and leased as lease-20.lua leases,
  until now + lease ms with the caller's token and attempts + 1, never passing through the
  pending list. A number whose body exists (queued or leased already) or above the counter
  (never issued) is skipped.

  Input:
    KEYS[1..20] the queue keys {q}:queue, :bodies, :expires, ... (lib/queue.lua QUEUE_KEY_NAMES)

    ARGV[1] queue name
    ARGV[2] lease in ms (a whole number >= 1)
    ARGV[3..] n1, value1, token1, expiry1, meta1, n2, ...  (expiry: epoch ms, or '' for none;
              meta: SQS metadata, or '' for none)

  Output:
    {key1, token1, attempts1, key2, ...}  the leased ones, in the order given
]]
-- #include fmt
-- #include now_ms
-- #include queue_from
-- #include store
local K = queue_from(KEYS, ARGV[1])
local issued = tonumber(redis.call('GET', K.counter) or '0')
local now = now_ms()
local deadline = fmt(now + tonumber(ARGV[2]))
local out = {}
for i = 3, #ARGV - 4, 5 do
  local n, token, expiry = ARGV[i], ARGV[i + 2], ARGV[i + 3]
  local num = tonumber(n)
  if num and num <= issued and (expiry == '' or tonumber(expiry) > now)
    and redis.call('HEXISTS', K.bodies, n) == 0 then
    store(K, n, ARGV[i + 1], expiry)
    if ARGV[i + 4] ~= '' then
      redis.call('HSET', K.sqsMeta, n, ARGV[i + 4])
    end
    redis.call('ZADD', K.leased, deadline, n)
    redis.call('HSET', K.leaseTokens, n, token)
    out[#out + 1] = K.q .. ':' .. n
    out[#out + 1] = token
    out[#out + 1] = redis.call('HINCRBY', K.attempts, n, 1)
  end
end
return out
