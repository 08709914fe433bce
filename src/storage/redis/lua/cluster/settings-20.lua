#!lua
--[[
  Replaces a queue's section-6 settings (as lua/settings-1.lua): fields given are stored,
  fields left empty removed.

  Input:
    KEYS[1..20] the queue keys {q}:queue, :bodies, :expires, ... (lib/queue.lua QUEUE_KEY_NAMES)

    ARGV[1] lease seconds, or ""
    ARGV[2] max attempts, or ""
    ARGV[3] dead-letter queue, or ""

  Output:
    1
]]
-- #include queue_from
local K = queue_from(KEYS, '')
redis.call('DEL', K.settings)
local names = {'lease', 'max_attempts', 'dead_letter'}
for i, name in ipairs(names) do
  if ARGV[i] ~= '' then
    redis.call('HSET', K.settings, name, ARGV[i])
  end
end
return 1
