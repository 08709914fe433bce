--[[
  Ties a held uniq token (claim-3.lua: <q>:uniq token -> "~<ms>") to the key of the job just
  enqueued with it: <q>:uniq token -> key and foo:<q>:uniq_job key -> token, presque's pair.
  When the job is already gone (fetched between its enqueue and this script), the token is
  freed instead: the fetch found no pair to free.

  Input:
    KEYS[1] tokens             <q>:uniq            (HASH token -> job key)
    KEYS[2] jobs               foo:<q>:uniq_job    (HASH job key -> token)
    KEYS[3] the job's body: its key, or the hash holding it
    ARGV[1] token
    ARGV[2] job key
    ARGV[3] the body's field in KEYS[3] ('' when KEYS[3] is the body itself)

  Output:
    1 when tied, 0 when freed
]]
local alive
if ARGV[3] == '' then
  alive = redis.call('EXISTS', KEYS[3]) == 1
else
  alive = redis.call('HEXISTS', KEYS[3], ARGV[3]) == 1
end
if alive then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  redis.call('HSET', KEYS[2], ARGV[2], ARGV[1])
  return 1
end
local held = redis.call('HGET', KEYS[1], ARGV[1])
if held and string.sub(held, 1, 1) == '~' then
  redis.call('HDEL', KEYS[1], ARGV[1])
end
return 0
