--[[
  Acknowledges a lease: when the token is the key's live lease, the message is deleted for
  good (body, refcount, attempts, lease, dead-letter origin). A token that is not the current
  one, or a lease past its deadline, is stale and changes nothing. An ack announces itself
  (lib/announce_settled.lua), so the broker sends no PUBLISH of its own.

  Input:
    KEYS[1] pending list       <q>:queue  (unused; the eight lease-script keys, in order)
    KEYS[2] status key         queuestat::<q>  (unused)
    KEYS[3] leases             restmq:leased:<q>
    KEYS[4] lease tokens       restmq:lease:<q>
    KEYS[5] attempts           restmq:attempts:<q>
    KEYS[6] settings           restmq:settings:<q>  (unused)
    KEYS[7] consumers          restmq:consumers:<q>
    KEYS[8] dead origins       restmq:origin:<q>

    ARGV[1] layout             keys.ts LAZY_LAYOUT (lib/lazy_layout.lua)
    ARGV[2] queue name
    ARGV[3] message key        <q>:<n>
    ARGV[4] token
    ARGV[5] events channel     restmq:events

  Output:
    1 when acknowledged, 0 when the receipt is stale
]]
if redis.replicate_commands then
  redis.replicate_commands()
end
-- #include lazy_layout
-- #include held_lease
-- #include unlease
-- #include forget
-- #include announce_settled
local L = lazy_layout(ARGV[1])
local Q = held_lease(L, ARGV[2], KEYS, ARGV[3], ARGV[4])
if not Q then
  return 0
end
unlease(L, Q, ARGV[3])
forget(L, Q, ARGV[3])
announce_settled(ARGV[5], ARGV[2], KEYS[7], ARGV[3], ARGV[4])
return 1
