#!lua
--[[
  Redrive of a dead-letter queue, step 0 (as lua/redrive-2.lua): every pending message with
  an origin (recorded, or implied by the name <q>.dead) leaves this queue for the outbox,
  oldest first; the store then moves the outbox into the origin queues (cluster-moves.ts).
  Messages with no origin, or whose origin is this queue, stay in order; dead numbers drop.

  Input:
    KEYS[1..20] the queue keys {q}:queue, :bodies, :expires, ... (lib/queue.lua QUEUE_KEY_NAMES)

    ARGV[1] dead-letter queue name
    ARGV[2] origin implied by the name ("" when the name does not end in .dead)
    ARGV[3] destination queue for every message ("": each message's origin)

  Output:
    {shipped, moveId1, record1, ...}  the whole outbox after the step
]]
-- #include body_of
-- #include drop
-- #include now_ms
-- #include queue_from
-- #include ship
-- #include with_outbox
local K = queue_from(KEYS, ARGV[1])
local implied = ARGV[2] ~= '' and ARGV[2] or nil
local destination = ARGV[3] ~= '' and ARGV[3] or nil
local now = now_ms()
local shipped = 0
local kept = {}
while true do
  local n = redis.call('RPOP', K.pending)
  if not n then
    break
  end
  local body = body_of(K, n, now)
  local origin = destination or redis.call('HGET', K.origin, n) or implied
  if not body then
    drop(K, n)
  elseif not origin or origin == K.q then
    kept[#kept + 1] = n
  else
    ship(K, n, origin, '', body, now)
    shipped = shipped + 1
  end
end
for _, n in ipairs(kept) do
  redis.call('LPUSH', K.pending, n)
end
return with_outbox(K, {shipped})
