-- A whole number as plain digits (tostring turns big numbers into 1e+14 notation).
local function fmt(n)
  return string.format('%d', n)
end
