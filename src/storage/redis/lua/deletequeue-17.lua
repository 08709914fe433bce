--[[
  DELETE /queues/<q>: the queue goes for good, unlike purge-7.lua (DELETE /q/<q>), which keeps
  it. Every message (pending, leased, delayed) goes with its body, soft-get refcount and SQS
  metadata; then every per-queue key (counter, policy, status, settings, leases, attempts,
  dead-letter origins, delayed, the age clock, registrations, the roundrobin cursor, the SQS
  record) and the given dedup keys; and the queue's entries in QUEUESET, the leased-queues set
  and the dead-lettered counts. A later enqueue starts the queue anew, counter at 1.
  Lists and ZSETs are read in chunks so none overflows unpack()'s argument limit.

  Input:
    KEYS[1]  counter           <q>:UUID
    KEYS[2]  pending list      <q>:queue
    KEYS[3]  policy            <q>:queuepolicy
    KEYS[4]  status            queuestat::<q>
    KEYS[5]  consumers         restmq:consumers:<q>
    KEYS[6]  rotation          restmq:rr:<q>
    KEYS[7]  leases            restmq:leased:<q>    (ZSET key -> deadline ms)
    KEYS[8]  lease tokens      restmq:lease:<q>
    KEYS[9]  attempts          restmq:attempts:<q>
    KEYS[10] settings          restmq:settings:<q>
    KEYS[11] dead origins      restmq:origin:<q>
    KEYS[12] delayed           restmq:delayed:<q>   (ZSET key -> due ms)
    KEYS[13] age clock         restmq:clock:<q>
    KEYS[14] SQS record        restmq:sqs:<q>
    KEYS[15] queue set         QUEUESET
    KEYS[16] leased queues     restmq:leasedqueues  (SET of queue names)
    KEYS[17] dead-lettered     restmq:deadlettered  (HASH queue -> count)

    ARGV[1] queue name
    ARGV[2] refcount suffix    ":refcount"
    ARGV[3] SQS metadata suffix ":sqs"
    ARGV[4..] dedup keys       restmq:dedup:<q>:<id>  (found by the caller; may be none)

  Output:
    1 if the queue was known (registered, or any of its keys existed), 0 otherwise
]]
local chunk = 500
local known = redis.call('SISMEMBER', KEYS[15], ARGV[1])
for i = 1, 14 do
  if known == 0 and redis.call('EXISTS', KEYS[i]) == 1 then
    known = 1
  end
end
local function drop_bodies(ks)
  local doomed = {}
  for _, k in ipairs(ks) do
    doomed[#doomed + 1] = k
    doomed[#doomed + 1] = k .. ARGV[2]
    doomed[#doomed + 1] = k .. ARGV[3]
  end
  if #doomed > 0 then
    redis.call('DEL', unpack(doomed))
  end
end
for _, zset in ipairs({KEYS[7], KEYS[12]}) do
  local start = 0
  while true do
    local ks = redis.call('ZRANGE', zset, start, start + chunk - 1)
    drop_bodies(ks)
    if #ks < chunk then
      break
    end
    start = start + chunk
  end
end
local start = 0
while true do
  local ks = redis.call('LRANGE', KEYS[2], start, start + chunk - 1)
  drop_bodies(ks)
  if #ks < chunk then
    break
  end
  start = start + chunk
end
for i = 4, #ARGV, chunk do
  redis.call('DEL', unpack(ARGV, i, math.min(i + chunk - 1, #ARGV)))
end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10], KEYS[11],
  KEYS[12], KEYS[13], KEYS[14])
redis.call('SREM', KEYS[15], ARGV[1])
redis.call('SREM', KEYS[16], ARGV[1])
redis.call('HDEL', KEYS[17], ARGV[1])
return known
