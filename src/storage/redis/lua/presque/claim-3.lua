--[[
  Holds a uniq token for a job about to be enqueued: <q>:uniq token -> "~<now ms>" (no job key
  starts with "~"), tied to the job's key by bind-3.lua. The token is held while its job is
  still in the store (pending, delayed or leased) or, for a claim not yet tied, for STALE ms;
  a token whose job is gone another way than a presque fetch (taken through /q, expired) or
  whose claimer never tied it (a broker that died) is free again.

  Input:
    KEYS[1] tokens             <q>:uniq            (HASH token -> job key)
    KEYS[2] jobs               foo:<q>:uniq_job    (HASH job key -> token)
    KEYS[3] the queue's bodies hash (cluster layout), or KEYS[1] again (plain: a body is its key)
    ARGV[1] token
    ARGV[2] STALE, ms
    ARGV[3] '' (plain layout), or the job-key prefix "<q>:" (cluster: the body is a field of KEYS[3])

  Output:
    1 when held now, 0 when already held
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local held = redis.call('HGET', KEYS[1], ARGV[1])
if held then
  if string.sub(held, 1, 1) == '~' then
    if now - (tonumber(string.sub(held, 2)) or 0) < tonumber(ARGV[2]) then
      return 0
    end
  else
    local alive
    if ARGV[3] == '' then
      alive = redis.call('EXISTS', held) == 1
    else
      alive = redis.call('HEXISTS', KEYS[3], string.sub(held, #ARGV[3] + 1)) == 1
    end
    if alive then
      return 0
    end
    redis.call('HDEL', KEYS[2], held)
  end
end
redis.call('HSET', KEYS[1], ARGV[1], '~' .. string.format('%d', now))
return 1
