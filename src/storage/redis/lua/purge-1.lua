--[[
  DELETE /q/<q>: drops the pending list AND every pending body with its refcount key
  (the original only deleted the list, leaking the bodies: R9). The counter, status,
  policy and QUEUESET entry stay, as in the original.
  The list is read in chunks so a long list never overflows unpack()'s argument limit.

  Input:
    KEYS[1] pending list       <q>:queue

    ARGV[1] refcount suffix    ":refcount"

  Output:
    1 if the list existed (something was pending), 0 otherwise
]]
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
local chunk = 500
local start = 0
while true do
  local ks = redis.call('LRANGE', KEYS[1], start, start + chunk - 1)
  if #ks == 0 then
    break
  end
  local doomed = {}
  for _, k in ipairs(ks) do
    doomed[#doomed + 1] = k
    doomed[#doomed + 1] = k .. ARGV[1]
  end
  redis.call('DEL', unpack(doomed))
  if #ks < chunk then
    break
  end
  start = start + chunk
end
redis.call('DEL', KEYS[1])
return 1
