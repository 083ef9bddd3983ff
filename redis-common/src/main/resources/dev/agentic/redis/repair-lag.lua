-- Restores a lane group's read counter when Redis has lost it or has it wrong (LaneStats.repairLag).
-- Redis reports the group's lag as NULL after an AOF reload (7.0 does not keep entries-read across
-- one) or an XGROUP SETID without ENTRIESREAD, until the group reads past the last entry; KEDA's
-- scaler then reads no backlog (0, -1 or an error, by go-redis version) however many jobs wait.
-- After a reload past an AOF rewrite it restores the counter of the rewrite and ignores the reads
-- replayed after it: a lag that looks known and is too high for good (queue_full, phantom scaling).
-- KEYS[1] = the lane stream, ARGV[1] = the consumer group, ARGV[2] = the most entries to count.
-- Counts the entries after the group's last delivered one (in chunks of 100, inside Redis: no job
-- body leaves it) and sets entries-read to entries-added minus that count, keeping the last
-- delivered id: the lag is then exact, and stays so as the group reads on (Redis only increments a
-- valid counter, so an estimate would stay wrong for good).
-- Returns '' when nothing was done (no stream, no group, the lag is right, or more than ARGV[2]
-- entries wait), else the lag now.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return ''
end
local function group_fields()
  for _, group in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
    local fields = {}
    for i = 1, #group, 2 do
      fields[group[i]] = group[i + 1]
    end
    if fields['name'] == ARGV[1] then
      return fields
    end
  end
  return nil
end
local group = group_fields()
if not group then
  return ''
end
local limit = tonumber(ARGV[2])
local waiting = 0
local cursor = '(' .. group['last-delivered-id']
while true do
  local chunk = redis.call('XRANGE', KEYS[1], cursor, '+', 'COUNT', 100)
  waiting = waiting + #chunk
  if waiting > limit then
    return ''
  end
  if #chunk < 100 then
    break
  end
  cursor = '(' .. chunk[#chunk][1]
end
if group['lag'] == waiting then
  return ''
end
local info = redis.call('XINFO', 'STREAM', KEYS[1])
local added = 0
for i = 1, #info, 2 do
  if info[i] == 'entries-added' then
    added = info[i + 1]
  end
end
redis.call('XGROUP', 'SETID', KEYS[1], ARGV[1], group['last-delivered-id'],
  'ENTRIESREAD', math.max(0, added - waiting))
local lag = group_fields()['lag']
return lag and string.format('%d', lag) or ''
