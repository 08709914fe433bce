-- A key of queue q from the layout L (keys.ts LEASE_LAYOUT or LAZY_LAYOUT: L[name] = {prefix, suffix}).
local function lkey(L, name, q)
  local t = L[name]
  return t[1] .. q .. t[2]
end
