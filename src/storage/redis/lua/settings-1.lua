--[[
  Replaces a queue's section-6 settings: every field given is stored, every field left
  empty is removed (the default applies).

  Input:
    KEYS[1] settings           restmq:settings:<q>  (HASH)

    ARGV[1] lease seconds, or ""
    ARGV[2] max attempts, or ""
    ARGV[3] dead-letter queue, or ""

  Output:
    1
]]
redis.call('DEL', KEYS[1])
local names = {'lease', 'max_attempts', 'dead_letter'}
for i, name in ipairs(names) do
  if ARGV[i] ~= '' then
    redis.call('HSET', KEYS[1], name, ARGV[i])
  end
end
return 1
