#!lua
--[[
  Moves a leased message to another queue, step 0 (as lua/moveleased-8.lua): when the token is
  the live lease, the lease ends and the message leaves this queue for the outbox, bound for
  the target; the store then appends it there as a new message (cluster-moves.ts). A stale
  receipt changes nothing; a message whose TTL has passed is dropped.

  Input:
    KEYS[1..20] the queue keys {q}:queue, :bodies, :expires, ... (lib/queue.lua QUEUE_KEY_NAMES)

    ARGV[1] queue name
    ARGV[2] message number
    ARGV[3] token
    ARGV[4] target queue name

  Output:
    {0} when the receipt is stale, else {1, moveId1, record1, ...}: the whole outbox after the step
]]
-- #include body_of
-- #include drop
-- #include live_token
-- #include now_ms
-- #include queue_from
-- #include ship
-- #include unlease
-- #include with_outbox
local K = queue_from(KEYS, ARGV[1])
local n = ARGV[2]
local now = now_ms()
if live_token(K, n, now) ~= ARGV[3] then
  return {0}
end
unlease(K, n)
local body = body_of(K, n, now)
if body then
  ship(K, n, ARGV[4], '', body, now)
else
  drop(K, n)
end
return with_outbox(K, {1})
