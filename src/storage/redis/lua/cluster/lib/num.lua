-- The message number of a key `<q>:<n>` (its trailing digits).
local function num(key)
  return string.match(key, '(%d+)$')
end
