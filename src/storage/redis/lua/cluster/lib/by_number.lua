local function by_number(a, b)
  return tonumber(a) < tonumber(b)
end
