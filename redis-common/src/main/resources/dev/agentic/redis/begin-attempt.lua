-- Begins an attempt at a request: the one place an attempt number is counted. Creates the request
-- (hash and 'queued' event, as open-request.lua) when it is missing (its ingress died between the
-- queue entry and the request), then numbers the attempt one above every attempt begun or written
-- before, and at least the queue entry's delivery count (a worker killed before it began counts).
-- KEYS[1] request hash, KEYS[2] event log stream
-- ARGV[1] tenant, ARGV[2] agent, ARGV[3] lane, ARGV[4] now millis, ARGV[5] deadline millis,
-- ARGV[6] the log's TTL seconds, ARGV[7] queued event JSON, ARGV[8] the entry's delivery count,
-- ARGV[9] the hash's TTL seconds (as open-request.lua)
-- Returns {attempt number, status, the attempt that last wrote an event (0: none)}.
-- One HMGET and one HSET when the request exists (every request hash has a status).
local h = redis.call('HMGET', KEYS[1], 'status', 'attempts', 'attempt')
local status = h[1]
local begun = tonumber(h[2] or '0')
local wrote = tonumber(h[3] or '0')
local n = math.max(begun + 1, wrote + 1, tonumber(ARGV[8]))
if not status then
  status = 'queued'
  local id = redis.call('XADD', KEYS[2], '*', 'type', 'queued', 'data', ARGV[7])
  redis.call('HSET', KEYS[1], 'tenant', ARGV[1], 'agent', ARGV[2], 'lane', ARGV[3], 'status', status,
    'created_ms', ARGV[4], 'updated_ms', ARGV[4], 'deadline_ms', ARGV[5], 'last_event', id, 'attempts', n,
    'expires_ms', string.format('%d', ARGV[4] + ARGV[9] * 1000),
    'log_expires_ms', string.format('%d', ARGV[4] + ARGV[6] * 1000))
  redis.call('EXPIRE', KEYS[1], ARGV[9])
  redis.call('EXPIRE', KEYS[2], ARGV[6])
else
  redis.call('HSET', KEYS[1], 'attempts', n)
end
return {tostring(n), status, tostring(wrote)}
