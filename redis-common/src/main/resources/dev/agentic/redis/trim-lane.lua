-- Trims a lane stream's acknowledged history (QueueTrimmer.trimLane). KEYS[1] = the lane stream.
-- The cut is the lowest id some consumer group still needs: its lowest pending id, or the first id
-- after its last-delivered-id. Every entry below the cut has been delivered and acknowledged by
-- every group, so XTRIM MINID removes history only (never XDEL: the groups' lag stays exact).
-- Returns the number of entries removed, as a string.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return '0'
end

local function split(id)
  return string.match(id, '^(%d+)-(%d+)$')
end

-- Ids have no leading zeros: a shorter digit string is a smaller number.
local function compare(a, b)
  if #a ~= #b then
    return #a < #b and -1 or 1
  end
  if a == b then
    return 0
  end
  return a < b and -1 or 1
end

local function less(x, y)
  local xm, xs = split(x)
  local ym, ys = split(y)
  local c = compare(xm, ym)
  if c == 0 then
    c = compare(xs, ys)
  end
  return c < 0
end

-- The smallest id greater than id (the same id when its sequence is too large to add to exactly).
local function after(id)
  local ms, seq = split(id)
  if #seq > 15 then
    return id
  end
  return ms .. '-' .. string.format('%d', tonumber(seq) + 1)
end

local cut = nil
local groups = redis.call('XINFO', 'GROUPS', KEYS[1])
for _, group in ipairs(groups) do
  local fields = {}
  for i = 1, #group, 2 do
    fields[group[i]] = group[i + 1]
  end
  local needed = after(fields['last-delivered-id'])
  local pending = redis.call('XPENDING', KEYS[1], fields['name'])
  if tonumber(pending[1]) > 0 and less(pending[2], needed) then
    needed = pending[2]
  end
  if cut == nil or less(needed, cut) then
    cut = needed
  end
end
if cut == nil then
  return '0'
end
return tostring(redis.call('XTRIM', KEYS[1], 'MINID', cut))
