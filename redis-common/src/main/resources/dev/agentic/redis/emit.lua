-- Appends one event to a request's log and publishes it, atomically, so a relay that misses the
-- live message can always fill the gap from the log.
-- KEYS[1] request hash, KEYS[2] event log stream (also the channel name)
-- ARGV[1] event type, ARGV[2] event JSON, ARGV[3] retention seconds, ARGV[4] '1' if terminal,
-- ARGV[5] final answer (terminal only), ARGV[6] now in epoch millis
-- Returns the new entry id, or false when the request is unknown or already terminal (so a
-- request gets exactly one terminal event however many attempts race to finish it).
local status = redis.call('HGET', KEYS[1], 'status')
if not status or status == 'done' or status == 'error' then
  return false
end
local previous = redis.call('HGET', KEYS[1], 'last_event') or '0-0'
local id = redis.call('XADD', KEYS[2], '*', 'type', ARGV[1], 'data', ARGV[2])
redis.call('HSET', KEYS[1], 'last_event', id, 'updated_ms', ARGV[6])
if ARGV[4] == '1' then
  redis.call('HSET', KEYS[1], 'status', ARGV[1], 'answer', ARGV[5], 'result', ARGV[2], 'finished_ms', ARGV[6])
elseif ARGV[1] == 'start' then
  redis.call('HSET', KEYS[1], 'status', 'running')
end
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[3])
redis.call('PUBLISH', KEYS[2], previous .. '\n' .. id .. '\n' .. ARGV[1] .. '\n' .. ARGV[2])
return id
