-- #include announce
-- #include promote_due
-- The reaper's promotion (promote_due), announced. Returns how many were pushed.
local function promote_delayed(K, channel, now)
  local pushed = promote_due(K, now)
  if pushed > 0 then
    announce(K, channel, now)
  end
  return pushed
end
