--[[
  Frees the uniq tokens of fetched jobs, as presque's fetch does (HMGET foo:<q>:uniq_job, then
  HDEL both ways); a token already held by a newer job is left alone.

  Input:
    KEYS[1] tokens             <q>:uniq
    KEYS[2] jobs               foo:<q>:uniq_job
    ARGV    the fetched job keys

  Output:
    how many tokens were freed
]]
local freed = 0
for i = 1, #ARGV do
  local token = redis.call('HGET', KEYS[2], ARGV[i])
  if token then
    redis.call('HDEL', KEYS[2], ARGV[i])
    if redis.call('HGET', KEYS[1], token) == ARGV[i] then
      redis.call('HDEL', KEYS[1], token)
      freed = freed + 1
    end
  end
end
return freed
