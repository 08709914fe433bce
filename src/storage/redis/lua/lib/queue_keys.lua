-- #include lkey
-- The eight per-queue keys Q of the lease scripts, named, from the script's own KEYS (list, in
-- the order of QUEUE_KEY_NAMES: the order every lease script receives them) or from the layout.
local QUEUE_KEY_NAMES = {'pending', 'status', 'leased', 'tokens', 'attempts', 'settings', 'consumers', 'origin'}

local function queue_keys(L, q, list)
  local Q = {q = q}
  for i, name in ipairs(QUEUE_KEY_NAMES) do
    Q[name] = list and list[i] or lkey(L, name, q)
  end
  return Q
end
