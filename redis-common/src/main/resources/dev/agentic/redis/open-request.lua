-- Creates a request's hash and writes its first event ('queued'), unless the id exists already.
-- KEYS[1] request hash, KEYS[2] event log stream
-- ARGV[1] tenant, ARGV[2] agent, ARGV[3] lane, ARGV[4] now millis, ARGV[5] deadline millis,
-- ARGV[6] retention seconds, ARGV[7] queued event JSON
-- Returns the queued event's entry id, or false if the request already existed.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return false
end
local id = redis.call('XADD', KEYS[2], '*', 'type', 'queued', 'data', ARGV[7])
redis.call('HSET', KEYS[1], 'tenant', ARGV[1], 'agent', ARGV[2], 'lane', ARGV[3], 'status', 'queued',
  'created_ms', ARGV[4], 'updated_ms', ARGV[4], 'deadline_ms', ARGV[5], 'last_event', id)
redis.call('EXPIRE', KEYS[1], ARGV[6])
redis.call('EXPIRE', KEYS[2], ARGV[6])
redis.call('PUBLISH', KEYS[2], '0-0\n' .. id .. '\nqueued\n' .. ARGV[7])
return id
