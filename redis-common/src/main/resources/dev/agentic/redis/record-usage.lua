-- Adds finished requests' usage to their tenant's day and month, once per request id.
-- KEYS[1] day hash, KEYS[2] counted-ids set (once-only guard), KEYS[3] month hash (one slot: {tenant})
-- ARGV[1] day expires at, ARGV[2] guard expires at, ARGV[3] month expires at (epoch seconds: fixed
-- per period), then per request five: request id, agent, tokens in, tokens out, cost usd.
-- Returns how many of the requests were counted now (the others were counted before).
-- Cheap per request: one SADD each; the figures are summed here and written once per agent, zero
-- figures not at all; the expiries (fixed instants) are set by an agent's first requests of the day
-- (the month's with every cost written, the only writes to it).
local sums, agents, counted = {}, {}, 0
for i = 4, #ARGV, 5 do
  if redis.call('SADD', KEYS[2], ARGV[i]) == 1 then
    counted = counted + 1
    local agent = ARGV[i + 1]
    local sum = sums[agent]
    if not sum then
      sum = {0, 0, 0, 0}
      sums[agent] = sum
      agents[#agents + 1] = agent
    end
    sum[1] = sum[1] + 1
    sum[2] = sum[2] + tonumber(ARGV[i + 2])
    sum[3] = sum[3] + tonumber(ARGV[i + 3])
    sum[4] = sum[4] + tonumber(ARGV[i + 4])
  end
end
for _, agent in ipairs(agents) do
  local sum = sums[agent]
  if redis.call('HINCRBY', KEYS[1], agent .. ':requests', sum[1]) == sum[1] then
    redis.call('EXPIREAT', KEYS[1], ARGV[1])
    redis.call('EXPIREAT', KEYS[2], ARGV[2])
  end
  if sum[2] ~= 0 then redis.call('HINCRBY', KEYS[1], agent .. ':tokens_in', string.format('%d', sum[2])) end
  if sum[3] ~= 0 then redis.call('HINCRBY', KEYS[1], agent .. ':tokens_out', string.format('%d', sum[3])) end
  if sum[4] ~= 0 then
    local cost = string.format('%.9f', sum[4])
    redis.call('HINCRBYFLOAT', KEYS[1], agent .. ':cost_usd', cost)
    redis.call('HINCRBYFLOAT', KEYS[1], 'total:cost_usd', cost)
    redis.call('HINCRBYFLOAT', KEYS[3], 'total:cost_usd', cost)
    redis.call('EXPIREAT', KEYS[3], ARGV[3])
  end
end
return tostring(counted)
