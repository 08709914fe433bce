--[[
  Puts messages that were dispatched but not written back at the front of their queue,
  oldest at the tail (so the next take or dispatch gets them first, in FIFO order), bodies
  restored with the expiry they were dispatched with (passed: dropped) and their SQS metadata
  (it left the queue in the inbox item, dispatch-7.lua). A message whose
  body exists is still in the queue and is skipped, so a requeue never duplicates a key; a
  key above the queue's counter was never issued and is skipped too (it would collide with
  a later enqueue).
  Then, as enqueue, announces the queue when it has a live streaming consumer.

  Input:
    KEYS[1] pending list       <q>:queue
    KEYS[2] consumers          restmq:consumers:<q>  (ZSET member -> expiry ms)
    KEYS[3] counter key        <q>:UUID

    ARGV[1] events channel     restmq:events  (publishes "e <q>"; empty: announces nothing)
    ARGV[2] queue name
    ARGV[3] message-key prefix <q>:
    ARGV[4] SQS metadata suffix ":sqs"
    ARGV[5..] key1, value1, expiry1, meta1, key2, ...  oldest first (each key <q>:<digits>;
              expiry: epoch ms, or '' for none; meta: SQS metadata, or '' for none)

  Output:
    how many messages were put back
]]
if redis.replicate_commands then
  redis.replicate_commands()
end
-- #include now_ms
-- #include announce
local back = 0
local now = now_ms()
local issued = tonumber(redis.call('GET', KEYS[3]) or '0')
-- newest first, each RPUSHed behind the previous: the oldest ends at the tail
for i = #ARGV - 3, 5, -4 do
  local n = tonumber(string.sub(ARGV[i], #ARGV[3] + 1))
  local left = ARGV[i + 2] ~= '' and tonumber(ARGV[i + 2]) - now
  local px = left and {'PX', string.format('%d', left)} or {}
  if n and n <= issued and (not left or left > 0) and redis.call('SET', ARGV[i], ARGV[i + 1], 'NX', unpack(px)) then
    if ARGV[i + 3] ~= '' then
      redis.call('SET', ARGV[i] .. ARGV[4], ARGV[i + 3], unpack(px))
    end
    redis.call('RPUSH', KEYS[1], ARGV[i])
    back = back + 1
  end
end
if back > 0 and ARGV[1] ~= '' then
  announce(ARGV[1], ARGV[2], KEYS[2], now)
end
return back
