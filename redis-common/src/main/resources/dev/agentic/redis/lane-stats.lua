-- Counts and ids of a lane for the admission sampler (LaneStats.read); no job body leaves Redis.
-- KEYS[1] = the lane stream, ARGV[1] = the consumer group, ARGV[2] = the most undelivered entries to count.
-- Returns '' when the stream or the group is missing, else
-- '<lag or -1> <entries-read or -1> <last-delivered-id> <length> <pending> <undelivered entries, at most ARGV[2]>'.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return ''
end
local function number(value)
  if not value then
    return '-1'
  end
  return string.format('%d', value)
end
for _, group in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
  local fields = {}
  for i = 1, #group, 2 do
    fields[group[i]] = group[i + 1]
  end
  if fields['name'] == ARGV[1] then
    local last = fields['last-delivered-id']
    -- Counted inside Redis, at most ARGV[2]: the entries after the last delivered one, which is what
    -- the lag must be (Redis's own counter can be wrong after a reload, LaneStats.lagWrong).
    local next = redis.call('XRANGE', KEYS[1], '(' .. last, '+', 'COUNT', tonumber(ARGV[2]))
    local pending = redis.call('XPENDING', KEYS[1], ARGV[1])[1]
    return table.concat({
      number(fields['lag']), number(fields['entries-read']), last,
      number(redis.call('XLEN', KEYS[1])), number(pending), number(#next)
    }, ' ')
  end
end
return ''
