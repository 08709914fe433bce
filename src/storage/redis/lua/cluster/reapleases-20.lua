#!lua
--[[
  Settles every expired lease of one queue and promotes its due delayed messages (as
  lua/reapleases-1.lua for one queue; the store calls it per queue), and hands back the
  outbox so the store can finish moves a broker left half done.

  Input:
    KEYS[1..20] the queue keys {q}:queue, :bodies, :expires, ... (lib/queue.lua QUEUE_KEY_NAMES)

    ARGV[1] queue name
    ARGV[2] events channel     {q}:events
    ARGV[3] default dead-letter queue name  <q>.dead

  Output:
    {returned, dead, idle, moveId1, record1, ...}
      idle  1 when the queue has no lease, delayed message or outbox entry left
]]
-- #include now_ms
-- #include queue_from
-- #include reap_queue
-- #include with_outbox
local K = queue_from(KEYS, ARGV[1])
local back, dead = reap_queue(K, ARGV[2], ARGV[3], now_ms())
local idle = redis.call('EXISTS', K.leased, K.delayed, K.outbox) == 0 and 1 or 0
return with_outbox(K, {back, dead, idle})
