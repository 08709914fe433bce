--[[
  DELETE /q/<q>: drops the pending list AND every pending body with its refcount key
  (the original only deleted the list, leaking the bodies: R9). Leased messages go too:
  their bodies, the lease records, attempts and dead-letter origins; so do delayed messages
  (their bodies and the delayed ZSET). Dedup ids stay. The counter, status,
  policy, settings and QUEUESET entry stay, as in the original.
  Lists and leases are read in chunks so none overflows unpack()'s argument limit.

  Input:
    KEYS[1] pending list       <q>:queue
    KEYS[2] leases             restmq:leased:<q>    (ZSET key -> deadline ms)
    KEYS[3] lease tokens       restmq:lease:<q>
    KEYS[4] attempts           restmq:attempts:<q>
    KEYS[5] dead origins       restmq:origin:<q>
    KEYS[6] leased queues      restmq:leasedqueues  (SET of queue names)
    KEYS[7] delayed            restmq:delayed:<q>   (ZSET key -> due ms)

    ARGV[1] refcount suffix    ":refcount"
    ARGV[2] queue name
    ARGV[3] SQS metadata suffix ":sqs"

  Output:
    1 if the list existed (something was pending), 0 otherwise
]]
local chunk = 500
for _, zset in ipairs({KEYS[2], KEYS[7]}) do
  local held = redis.call('ZRANGE', zset, 0, -1)
  for i = 1, #held, chunk do
    local doomed = {}
    for j = i, math.min(i + chunk - 1, #held) do
      doomed[#doomed + 1] = held[j]
      doomed[#doomed + 1] = held[j] .. ARGV[1]
      doomed[#doomed + 1] = held[j] .. ARGV[3]
    end
    redis.call('DEL', unpack(doomed))
  end
end
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[7])
redis.call('SREM', KEYS[6], ARGV[2])
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
local start = 0
while true do
  local ks = redis.call('LRANGE', KEYS[1], start, start + chunk - 1)
  if #ks == 0 then
    break
  end
  local doomed = {}
  for _, k in ipairs(ks) do
    doomed[#doomed + 1] = k
    doomed[#doomed + 1] = k .. ARGV[1]
    doomed[#doomed + 1] = k .. ARGV[3]
  end
  redis.call('DEL', unpack(doomed))
  if #ks < chunk then
    break
  end
  start = start + chunk
end
redis.call('DEL', KEYS[1])
return 1
