-- Orders message keys by their message number (the trailing digits), as whole numbers.
local function older_first(a, b)
  local x, y = string.match(a, '(%d+)$') or '', string.match(b, '(%d+)$') or ''
  if #x ~= #y then
    return #x < #y
  end
  return x < y
end
