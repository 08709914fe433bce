--[[
  Moves a leased message to another queue: when the token is the key's live lease, the lease
  ends and the message becomes a new message at the end of the target queue (keeping what is
  left of its TTL and its SQS metadata; attempts start afresh), deleted here as an ack would.
  A stale receipt changes nothing. A message whose body is gone (its TTL ran out) is dropped.

  Input:
    KEYS[1] pending list       <q>:queue  (unused; the eight lease-script keys, in order)
    KEYS[2] status key         queuestat::<q>  (unused)
    KEYS[3] leases             restmq:leased:<q>
    KEYS[4] lease tokens       restmq:lease:<q>
    KEYS[5] attempts           restmq:attempts:<q>
    KEYS[6] settings           restmq:settings:<q>  (unused)
    KEYS[7] consumers          restmq:consumers:<q>  (unused)
    KEYS[8] dead origins       restmq:origin:<q>

    ARGV[1] layout             keys.ts LEASE_LAYOUT (JSON)
    ARGV[2] events channel     restmq:events
    ARGV[3] queue name
    ARGV[4] message key        <q>:<n>
    ARGV[5] token
    ARGV[6] target queue name

  Output:
    1 when moved (or dropped: its body was gone), 0 when the receipt is stale
]]
if redis.replicate_commands then
  redis.replicate_commands()
end
-- #include lazy_layout
-- #include held_lease
-- #include unlease
-- #include forget
-- #include enqueue_one
local L = lazy_layout(ARGV[1])
local key = ARGV[4]
local Q, now = held_lease(L, ARGV[3], KEYS, key, ARGV[5])
if not Q then
  return 0
end
unlease(L, Q, key)
local body = redis.call('GET', key)
if body then
  local pttl = redis.call('PTTL', key)
  local meta = redis.call('GET', key .. L.meta)
  forget(L, Q, key)
  enqueue_one(L, ARGV[2], ARGV[6], body, pttl, now, meta)
else
  forget(L, Q, key)
end
return 1
