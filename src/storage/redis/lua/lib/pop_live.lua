-- Pops up to count oldest messages off the pending list (its tail), deleting each body with
-- its soft-get refcount and SQS metadata (refcount, meta: the key suffixes) and calling
-- tidy(key) when given. Keys
-- without a body (TTL passed, or an old broker's JSON del) are dropped and counted; they do
-- not use up count. Returns {{key, body}, ...}, oldest first, and how many were dropped.
-- With keep_ttl, each entry also holds the ms its body had left to live (nil: no TTL); with
-- keep_meta, fourth, its SQS metadata (nil: none), read before it is deleted.
local function pop_live(pending, count, refcount, meta, tidy, keep_ttl, keep_meta)
  local messages = {}
  local expired = 0
  while #messages < count do
    local key = redis.call('RPOP', pending)
    if not key then
      break
    end
    local body = redis.call('GET', key)
    local ttl = keep_ttl and body and redis.call('PTTL', key) or -1
    local kept = keep_meta and body and redis.call('GET', key .. meta) or nil
    redis.call('DEL', key, key .. refcount, key .. meta)
    if tidy then
      tidy(key)
    end
    if body then
      messages[#messages + 1] = {key, body, ttl > 0 and ttl or nil, kept}
    else
      expired = expired + 1
    end
  end
  return messages, expired
end
