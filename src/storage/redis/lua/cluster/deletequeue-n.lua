#!lua
--[[
  DELETE /queues/<q> (as lua/deletequeue-17.lua): every key of the queue goes, in one step.
  All of them carry the hash tag {q}, so they share one slot: the caller lists that slot's keys
  of the queue (CLUSTER GETKEYSINSLOT: inboxes, dedup ids and move markers, whose names hold
  broker, producer or move ids) and declares them beside the fixed ones. The index entry
  (restmq:queues) lives in another slot; the caller removes it after this step.

  Input (the number of keys is given by the caller: -n):
    KEYS[1..20] the queue keys {q}:queue, :bodies, :expires, ... (lib/queue.lua QUEUE_KEY_NAMES)
    KEYS[21]    the SQS record  {q}:sqs
    KEYS[22..]  every other key of the queue found in its slot

    ARGV[1] queue name (for the log of a failed call only)

  Output:
    how many keys existed (0: the queue was unknown in its slot)
]]
local n = 0
for i = 1, #KEYS do
  n = n + redis.call('DEL', KEYS[i])
end
return n
