--[[
  Replaces the SQS metadata of messages that still have some (sqs-contract.ts
  updateMessageMeta), keeping its expiry: a message gone meanwhile gets none back.

  Input:
    ARGV[1], ARGV[2], ... pairs: metadata key <q>:<n>:sqs, new metadata

  Output:
    how many were replaced
]]
local done = 0
for i = 1, #ARGV, 2 do
  local ttl = redis.call('PTTL', ARGV[i])
  if ttl ~= -2 then
    redis.call('SET', ARGV[i], ARGV[i + 1])
    if ttl > 0 then
      redis.call('PEXPIRE', ARGV[i], ttl)
    end
    done = done + 1
  end
end
return done
