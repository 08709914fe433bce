#!lua
--[[
  Replaces the SQS metadata of messages that still have some (sqs-contract.ts
  updateMessageMeta): a message gone meanwhile gets none back.

  Input:
    KEYS[1] {q}:sqsmeta  (HASH message number -> metadata)

    ARGV[1], ARGV[2], ... pairs: message number, new metadata

  Output:
    how many were replaced
]]
local done = 0
for i = 1, #ARGV, 2 do
  if redis.call('HEXISTS', KEYS[1], ARGV[i]) == 1 then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
    done = done + 1
  end
end
return done
