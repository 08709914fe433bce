-- The fields of an inbox item (inbox_item) that starts at byte `at` of `item`: copies, expiry
-- ('' for none), queue, key, value and SQS metadata (nil for none); nil when malformed.
local function read_item(item, at)
  local copies, expiry, n, q, key, from = string.match(item, '^(%d+)@?(%d*)#?(%d*)\n[^\n]*\n([^\n]*)\n([^\n]*)\n()', at)
  if not copies then
    return nil
  end
  n = tonumber(n) or 0
  local meta = n > 0 and string.sub(item, from, from + n - 1) or nil
  return copies, expiry, q, key, string.sub(item, from + n), meta
end
