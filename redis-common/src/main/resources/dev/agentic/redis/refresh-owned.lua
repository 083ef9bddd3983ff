-- Refreshes a consumer's running entries (idle time reset, delivery count unchanged), but only the
-- ones it still owns: an entry another worker reclaimed meanwhile (this one was paused past the
-- reclaim timeout) stays with that worker.
-- KEYS[1] lane stream; ARGV[1] group, ARGV[2] consumer, ARGV[3..] entry ids
-- Returns the ids this consumer no longer owns (reclaimed by another, or acknowledged).
local lost = {}
for i = 3, #ARGV do
  local id = ARGV[i]
  local mine = redis.call('XPENDING', KEYS[1], ARGV[1], id, id, 1, ARGV[2])
  if #mine == 1 then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, id, 'JUSTID')
  else
    table.insert(lost, id)
  end
end
return lost
