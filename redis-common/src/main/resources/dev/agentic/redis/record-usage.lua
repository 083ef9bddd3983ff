-- Adds one finished request's usage to its tenant's day and month, once per request id.
-- KEYS[1] day hash, KEYS[2] counted-ids set (once-only guard), KEYS[3] month hash (one slot: {tenant})
-- ARGV: request id, agent, tokens in, tokens out, cost usd, usage ttl s, guard ttl s
-- Returns '1' when counted now, '0' when this request was counted before.
if redis.call('SADD', KEYS[2], ARGV[1]) == 0 then
  return '0'
end
redis.call('EXPIRE', KEYS[2], ARGV[7])
local agent = ARGV[2]
redis.call('HINCRBY', KEYS[1], agent .. ':requests', 1)
redis.call('HINCRBY', KEYS[1], agent .. ':tokens_in', ARGV[3])
redis.call('HINCRBY', KEYS[1], agent .. ':tokens_out', ARGV[4])
redis.call('HINCRBYFLOAT', KEYS[1], agent .. ':cost_usd', ARGV[5])
redis.call('HINCRBYFLOAT', KEYS[1], 'total:cost_usd', ARGV[5])
redis.call('EXPIRE', KEYS[1], ARGV[6])
redis.call('HINCRBYFLOAT', KEYS[3], 'total:cost_usd', ARGV[5])
redis.call('EXPIRE', KEYS[3], ARGV[6])
return '1'
