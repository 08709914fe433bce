#!lua
--[[
  DELETE /q/<q>: every pending, leased and delayed message goes, bodies and records with it
  (as lua/purge-7.lua). All of a queue's bodies are in one hash, so this deletes whole keys.
  The counter, status, policy, settings, dedup ids, the outbox (messages already on their way
  to another queue) and the index entry stay.

  Input:
    KEYS[1..20] the queue keys {q}:queue, :bodies, :expires, ... (lib/queue.lua QUEUE_KEY_NAMES)

    ARGV[1] queue name

  Output:
    1 if something was pending, 0 otherwise
]]
-- #include queue_from
local K = queue_from(KEYS, ARGV[1])
local had = redis.call('EXISTS', K.pending)
redis.call('DEL', K.pending, K.bodies, K.expires, K.refcounts, K.leased, K.leaseTokens, K.attempts, K.origin, K.delayed,
  K.sqsMeta)
return had
