-- The layout L from keys.ts LAZY_LAYOUT: the few fields an ack or a plain lease reads (the
-- delayed-key template, the leased-queues set, the refcount and SQS suffixes), one per line,
-- then LEASE_LAYOUT's JSON, decoded only when some other field is read. Decoding that JSON
-- costs Redis more (~12 µs) than the rest of an ack. Plain JSON (the bench's A/B) is decoded
-- at once.
local function lazy_layout(arg)
  if string.sub(arg, 1, 1) == '{' then
    return cjson.decode(arg)
  end
  -- The JSON's position, not a copy of it: copying 540 bytes cost ~0.7 µs a call.
  local dp, ds, lq, rc, meta, at = string.match(arg, '^([^\n]*)\n([^\n]*)\n([^\n]*)\n([^\n]*)\n([^\n]*)\n()')
  local full = nil
  return setmetatable({delayed = {dp, ds}, leasedqueues = lq, refcount = rc, meta = meta}, {
    __index = function(_, k)
      full = full or cjson.decode(string.sub(arg, at))
      return full[k]
    end,
  })
end
