-- "a <receipt> <q>" on the events channel (redis-events.ts) when the queue has a streaming
-- consumer registered on any broker: only a leased stream holding the receipt needs to know,
-- so an ack with nobody streaming costs no notification. EXISTS, not the live-members range
-- of announce.lua: a lapsed registration only costs one spare event (dispatch-7.lua prunes
-- them), and this runs on every ack. The receipt is "<n>.<token>".
local function announce_settled(channel, q, consumers, key, token)
  if redis.call('EXISTS', consumers) == 1 then
    redis.call('PUBLISH', channel, 'a ' .. string.sub(key, #q + 2) .. '.' .. token .. ' ' .. q)
  end
end
