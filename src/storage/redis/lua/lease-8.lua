--[[
  Leases up to `count` oldest ready messages (SPEC 6). First it settles this queue's expired
  leases (back to the front, or dead-lettered), then, unless the queue is stopped, it pops
  keys off the tail like take-2.lua, but keeps each body: the key leaves <q>:queue (so to an
  old broker the message is simply gone) and is recorded as leased until now + lease ms, with
  the caller's token and attempts + 1. Keys whose body is gone are dropped and counted and do
  not use up `count`.

  Input:
    KEYS[1] pending list       <q>:queue
    KEYS[2] status key         queuestat::<q>
    KEYS[3] leases             restmq:leased:<q>    (ZSET key -> deadline ms)
    KEYS[4] lease tokens       restmq:lease:<q>     (HASH key -> token)
    KEYS[5] attempts           restmq:attempts:<q>  (HASH key -> leases had)
    KEYS[6] settings           restmq:settings:<q>  (HASH max_attempts, dead_letter)
    KEYS[7] consumers          restmq:consumers:<q> (ZSET; announces returned messages)
    KEYS[8] dead origins       restmq:origin:<q>    (HASH dead key -> origin queue)

    ARGV[1] layout             keys.ts LAZY_LAYOUT (lib/lazy_layout.lua)
    ARGV[2] events channel     restmq:events
    ARGV[3] queue name
    ARGV[4] count (a whole number >= 0)
    ARGV[5] lease in ms (a whole number >= 1)
    ARGV[6..] one token per message to lease (at least `count` of them)

  Output:
    {stopped, expired, key1, value1, token1, attempts1, key2, ...}
      stopped  1 when the status key holds "0" (then nothing is leased), else 0
      expired  how many keys without a body were dropped
]]
if redis.replicate_commands then
  redis.replicate_commands()
end
-- #include lazy_layout
-- #include queue_keys
-- #include now_ms
-- #include fmt
-- #include reap_queue
-- #include forget
-- #include lease_key
local L = lazy_layout(ARGV[1])
local Q = queue_keys(L, ARGV[3], KEYS)
local now = now_ms()
reap_queue(L, ARGV[2], Q, now)
if redis.call('GET', Q.status) == '0' then
  return {1, 0}
end
local count = tonumber(ARGV[4])
local deadline = fmt(now + tonumber(ARGV[5]))
local out = {0, 0}
local expired = 0
local got = 0
while got < count do
  local key = redis.call('RPOP', Q.pending)
  if not key then
    break
  end
  if lease_key(L, Q, key, ARGV[6 + got], deadline, out) then
    got = got + 1
  else
    expired = expired + 1
  end
end
if got > 0 then
  redis.call('SADD', L.leasedqueues, Q.q)
end
out[2] = expired
return out
