-- Adds one finished request's usage to its tenant's day and month, once per request id.
-- KEYS[1] day hash, KEYS[2] counted-ids set (once-only guard), KEYS[3] month hash (one slot: {tenant})
-- ARGV: request id, agent, tokens in, tokens out, cost usd,
--       day expires at, guard expires at, month expires at (epoch seconds: fixed per period)
-- Returns '1' when counted now, '0' when this request was counted before.
-- Cheap per request: zero figures are not written, and the expiries (fixed instants, the same for
-- every request of the period) are set by an agent's first request of the day (the month's by
-- every request with a cost, the only ones that write it).
if redis.call('SADD', KEYS[2], ARGV[1]) == 0 then
  return '0'
end
local agent = ARGV[2]
if redis.call('HINCRBY', KEYS[1], agent .. ':requests', 1) == 1 then
  redis.call('EXPIREAT', KEYS[1], ARGV[6])
  redis.call('EXPIREAT', KEYS[2], ARGV[7])
end
if ARGV[3] ~= '0' then redis.call('HINCRBY', KEYS[1], agent .. ':tokens_in', ARGV[3]) end
if ARGV[4] ~= '0' then redis.call('HINCRBY', KEYS[1], agent .. ':tokens_out', ARGV[4]) end
if tonumber(ARGV[5]) ~= 0 then
  redis.call('HINCRBYFLOAT', KEYS[1], agent .. ':cost_usd', ARGV[5])
  redis.call('HINCRBYFLOAT', KEYS[1], 'total:cost_usd', ARGV[5])
  redis.call('HINCRBYFLOAT', KEYS[3], 'total:cost_usd', ARGV[5])
  redis.call('EXPIREAT', KEYS[3], ARGV[8])
end
return '1'
