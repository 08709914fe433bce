--[[
  JSON `del` of one message of this queue: drops the key from the pending list as well as
  the body (fixing R11: the original deleted only the body, leaving a null at the head).
  The caller has already checked that the key is `<q>:<digits>` of this queue (R12).
  A delayed message (not yet in the list) leaves the delayed ZSET.

  Input:
    KEYS[1] pending list       <q>:queue
    KEYS[2] delayed            restmq:delayed:<q>  (ZSET key -> due ms)

    ARGV[1] message key        <q>:<n>
    ARGV[2] refcount suffix    ":refcount"
    ARGV[3] SQS metadata suffix ":sqs"

  Output:
    1 if the body existed (and was deleted), 0 otherwise
]]
redis.call('LREM', KEYS[1], 0, ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
local existed = redis.call('DEL', ARGV[1])
redis.call('DEL', ARGV[1] .. ARGV[2], ARGV[1] .. ARGV[3])
return existed
