-- An inbox item (stream-contract.ts): "<copies>[@<expiry>][#<n>]\n<consumer>\n<q>\n<key>\n<meta><value>".
-- The value comes last (it may hold newlines); expiry: epoch ms its body's TTL ends, nil for
-- none; meta: the message's SQS metadata ('' or nil for none), whose length n in bytes is in
-- the first line so that it may hold newlines too. Read back by read_item and parseItem
-- (redis-stream.ts).
local function inbox_item(copies, expiry, consumer, q, key, value, meta)
  local head = copies
  if expiry then
    head = head .. '@' .. expiry
  end
  if meta and meta ~= '' then
    head = head .. '#' .. #meta
  else
    meta = ''
  end
  return head .. '\n' .. consumer .. '\n' .. q .. '\n' .. key .. '\n' .. meta .. value
end
