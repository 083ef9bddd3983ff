-- Begins an attempt at a request: the one place an attempt number is counted. Creates the request
-- (hash and 'queued' event, as open-request.lua) when it is missing (its ingress died between the
-- queue entry and the request), then numbers the attempt one above every attempt begun or written
-- before, and at least the queue entry's delivery count (a worker killed before it began counts).
-- KEYS[1] request hash, KEYS[2] event log stream
-- ARGV[1] tenant, ARGV[2] agent, ARGV[3] lane, ARGV[4] now millis, ARGV[5] deadline millis,
-- ARGV[6] retention seconds, ARGV[7] queued event JSON, ARGV[8] the entry's delivery count
-- Returns {attempt number, status, the attempt that last wrote an event (0: none)}.
if redis.call('EXISTS', KEYS[1]) == 0 then
  local id = redis.call('XADD', KEYS[2], '*', 'type', 'queued', 'data', ARGV[7])
  redis.call('HSET', KEYS[1], 'tenant', ARGV[1], 'agent', ARGV[2], 'lane', ARGV[3], 'status', 'queued',
    'created_ms', ARGV[4], 'updated_ms', ARGV[4], 'deadline_ms', ARGV[5], 'last_event', id)
  redis.call('EXPIRE', KEYS[1], ARGV[6])
  redis.call('EXPIRE', KEYS[2], ARGV[6])
  redis.call('PUBLISH', KEYS[2], '0-0\n' .. id .. '\nqueued\n' .. ARGV[7])
end
local begun = tonumber(redis.call('HGET', KEYS[1], 'attempts') or '0')
local wrote = tonumber(redis.call('HGET', KEYS[1], 'attempt') or '0')
local n = math.max(begun + 1, wrote + 1, tonumber(ARGV[8]))
redis.call('HSET', KEYS[1], 'attempts', n)
return {tostring(n), redis.call('HGET', KEYS[1], 'status'), tostring(wrote)}
