--[[
  Appends one or more values to a queue, in order, as the original's queue_add does for
  each value, but atomically and with bug R27 fixed (SADD on every call, status SET NX so
  a stopped queue stays stopped and a recreated counter does not restart it). The counter
  moves once (INCRBY) and the keys go onto the list in one LPUSH per chunk, newest at the
  head, so an old broker still RPOPs them oldest first.
  Then it announces the queue on the events channel, only when the queue has a live
  streaming consumer (on any broker): a queue nobody streams costs no notification.

  Delay (SPEC 6): with a delay the bodies are written at once but the keys go into the
  delayed ZSET (score: now + delay) instead of the pending list, and the queue joins the
  leased-queues set, so the lease reaper (lib/lease.lua reap_queue) LPUSHes them onto the
  pending list when due. An old broker only reads the pending list: it never sees them early.
  Nothing is announced until then.
  Dedup (SPEC 6): when the dedup key holds a message key, that key is returned and nothing
  else happens; otherwise the dedup key is set (EX) to the first new key. The store sends
  dedup only with a single value.

  SQS metadata (sqs-contract.ts): with ARGV[9] not empty, it is written beside the (single)
  body as <key><ARGV[8]>, with the body's expiry, in the same step.
  Clock (metrics): the first key of the batch is dated in KEYS[9] (ZSET message number -> Redis
  time in ms) when the newest date there is a second old or more, so a message's enqueue time is
  that of the largest dated number at or below its own, at most a second early; the oldest
  message's age needs no write per message. Dates below the one that dates the head of the
  pending list are trimmed then.

  Input:
    KEYS[1] counter key        <q>:UUID     (INCRBY; never reset)
    KEYS[2] pending list       <q>:queue    (LPUSH at the head; consumers RPOP the tail)
    KEYS[3] queue set          QUEUESET
    KEYS[4] status key         queuestat::<q>
    KEYS[5] consumers          restmq:consumers:<q>  (ZSET member -> expiry ms)
    KEYS[6] delayed            restmq:delayed:<q>    (ZSET key -> due ms)
    KEYS[7] leased queues      restmq:leasedqueues   (SET of queue names the reaper walks)
    KEYS[8] dedup key          restmq:dedup:<q>:<id> (read and written only when ARGV[6] is "1")
    KEYS[9] clock              restmq:clock:<q>      (ZSET message number -> enqueue ms)

    ARGV[1] queue name (the QUEUESET member)
    ARGV[2] message-key prefix <q>:  (the counter value is appended to it)
    ARGV[3] ttl in seconds, or "" for no expiry
    ARGV[4] events channel     restmq:events  (publishes "e <q>")
    ARGV[5] delay in ms, a whole number ("0": visible at once)
    ARGV[6] "1" to dedup on KEYS[8], "" for no dedup
    ARGV[7] dedup lifetime in seconds
    ARGV[8] SQS metadata suffix ":sqs"
    ARGV[9] SQS metadata of the value, or "" for none (single values only)
    ARGV[10..] the values, in order (at least one)

  Output:
    array of the new message keys, in the order of the values; with a dedup hit, the one
    key stored under the dedup key
]]
if redis.replicate_commands then
  redis.replicate_commands()
end
-- #include now_ms
-- #include fmt
-- #include announce
-- #include date_clock
local dedup = ARGV[6] == '1'
if dedup then
  local seen = redis.call('GET', KEYS[8])
  if seen then
    return {seen}
  end
end
local first = 10
local n = #ARGV - first + 1
local delay = tonumber(ARGV[5]) or 0
local now = now_ms()
local due = fmt(now + delay)
local last = redis.call('INCRBY', KEYS[1], n)
local out = {}
local chunk = 1000
for c = 0, n - 1, chunk do
  local ks = {}
  local kv = {}
  local zs = {}
  for j = c, math.min(c + chunk, n) - 1 do
    -- %d: plain digits even for big counters (Lua's tostring would switch to 1e+14 notation)
    local key = ARGV[2] .. fmt(last - n + 1 + j)
    local value = ARGV[first + j]
    out[#out + 1] = key
    ks[#ks + 1] = key
    zs[#zs + 1] = due
    zs[#zs + 1] = key
    if ARGV[3] ~= '' then
      redis.call('SET', key, value, 'EX', ARGV[3])
    else
      kv[#kv + 1] = key
      kv[#kv + 1] = value
    end
  end
  if #kv > 0 then
    redis.call('MSET', unpack(kv))
  end
  if delay > 0 then
    redis.call('ZADD', KEYS[6], unpack(zs))
  else
    redis.call('LPUSH', KEYS[2], unpack(ks))
  end
end
redis.call('SADD', KEYS[3], ARGV[1])
redis.call('SET', KEYS[4], '1', 'NX')
if dedup then
  redis.call('SET', KEYS[8], out[1], 'EX', ARGV[7])
end
if ARGV[9] ~= '' then
  if ARGV[3] ~= '' then
    redis.call('SET', out[1] .. ARGV[8], ARGV[9], 'EX', ARGV[3])
  else
    redis.call('SET', out[1] .. ARGV[8], ARGV[9])
  end
end
date_clock(KEYS[9], KEYS[2], last - n + 1, now)
if delay > 0 then
  redis.call('SADD', KEYS[7], ARGV[1])
else
  announce(ARGV[4], ARGV[1], KEYS[5], now)
end
return out
