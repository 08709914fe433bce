--[[
  Ends a lease early. Without a delay the message goes back to the front of its queue at once
  (or to its dead-letter queue when its attempts reached max_attempts), as an expired lease
  does. With a delay (and attempts below max_attempts) the lease is kept but handed to nobody:
  its token is removed (every receipt of it is stale) and its deadline moved to now + delay,
  so the reaper (reapLeases, or the next lease on the queue) returns it when due. Until then
  it counts as in flight.

  Input:
    KEYS[1] pending list       <q>:queue
    KEYS[2] status key         queuestat::<q>  (unused)
    KEYS[3] leases             restmq:leased:<q>
    KEYS[4] lease tokens       restmq:lease:<q>
    KEYS[5] attempts           restmq:attempts:<q>
    KEYS[6] settings           restmq:settings:<q>
    KEYS[7] consumers          restmq:consumers:<q>
    KEYS[8] dead origins       restmq:origin:<q>

    ARGV[1] layout             keys.ts LAZY_LAYOUT (lib/lazy_layout.lua)
    ARGV[2] events channel     restmq:events
    ARGV[3] queue name
    ARGV[4] message key        <q>:<n>
    ARGV[5] token
    ARGV[6] delay in ms (0: none)

  Output:
    1 when done, 0 when the receipt is stale
]]
if redis.replicate_commands then
  redis.replicate_commands()
end
-- #include lazy_layout
-- #include held_lease
-- #include fmt
-- #include settle
-- #include announce
local L = lazy_layout(ARGV[1])
local key = ARGV[4]
local Q, now = held_lease(L, ARGV[3], KEYS, key, ARGV[5])
if not Q then
  return 0
end
local delay = tonumber(ARGV[6])
local max = tonumber(redis.call('HGET', Q.settings, 'max_attempts') or '')
local attempts = tonumber(redis.call('HGET', Q.attempts, key) or '0')
if delay > 0 and not (max and attempts >= max) then
  redis.call('ZADD', Q.leased, 'XX', fmt(now + delay), key)
  redis.call('HDEL', Q.tokens, key)
  return 1
end
if settle(L, ARGV[2], Q, key, now) == 'back' then
  redis.call('RPUSH', Q.pending, key)
  announce(ARGV[2], Q.q, Q.consumers, now)
end
return 1
