--[[
  Removes and returns up to `count` oldest messages (hard get / JSON take). Each body is
  deleted in the same step (no orphan body keys, fixing R9/R10), with its soft-get refcount.
  Keys whose body is gone (TTL passed, or deleted by an old broker's JSON del) are dropped
  and counted; they do not use up `count`: popping goes on until `count` real messages are
  found or the list is empty. A taken message that once was leased (and nacked or expired)
  loses its attempts count and dead-letter origin too. Due delayed messages join the queue
  first (lib/promote_due.lua). Each message comes with when its TTL ends (its body's PTTL read
  before the DEL), so a caller that gives it back (requeue-3.lua) keeps its expiry.

  Input:
    KEYS[1] pending list       <q>:queue
    KEYS[2] status key         queuestat::<q>
    KEYS[3] attempts           restmq:attempts:<q>  (HASH key -> leases had)
    KEYS[4] dead origins       restmq:origin:<q>    (HASH dead key -> origin queue)
    KEYS[5] delayed            restmq:delayed:<q>   (ZSET key -> due ms)

    ARGV[1] count (a whole number >= 1)
    ARGV[2] refcount suffix    ":refcount"  (appended to a message key)
    ARGV[3] SQS metadata suffix ":sqs"      (deleted with the body)

  Output:
    {stopped, expired, key1, value1, expiry1, key2, value2, expiry2, ...}
      stopped  1 when the status key holds "0" (then nothing is taken), else 0
      expired  how many keys without a body were dropped
      expiry   when the message's TTL ends (epoch ms, the Redis clock), '' when it has none
]]
if redis.replicate_commands then
  redis.replicate_commands()
end
-- #include promote_due
promote_due(KEYS[5], KEYS[1], nil, ARGV[2], ARGV[3])
if redis.call('GET', KEYS[2]) == '0' then
  return {1, 0}
end
-- #include fmt
-- #include now_ms
-- #include pop_live
-- Only queues that ever had leases (or dead letters) pay for the clean-up.
local tidy = nil
if redis.call('EXISTS', KEYS[3], KEYS[4]) > 0 then
  tidy = function(key)
    redis.call('HDEL', KEYS[3], key)
    redis.call('HDEL', KEYS[4], key)
  end
end
local messages, expired = pop_live(KEYS[1], tonumber(ARGV[1]), ARGV[2], ARGV[3], tidy, true)
local out = {0, expired}
local now = nil -- the clock is read only when a taken message has a TTL
for _, m in ipairs(messages) do
  out[#out + 1] = m[1]
  out[#out + 1] = m[2]
  if m[3] then
    now = now or now_ms()
    out[#out + 1] = fmt(now + m[3])
  else
    out[#out + 1] = ''
  end
end
return out
