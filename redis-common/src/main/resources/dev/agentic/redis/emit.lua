-- Appends one event to a request's log and publishes it, atomically, so a relay that misses the
-- live message can always fill the gap from the log.
-- KEYS[1] request hash, KEYS[2] event log stream (also the channel name)
-- ARGV[1] event type, ARGV[2] event JSON, ARGV[3] log retention seconds, ARGV[4] '1' if terminal,
-- ARGV[5] final answer (terminal only), ARGV[6] now in epoch millis,
-- ARGV[7] attempt (0 = an event of the system, e.g. a cancel: no attempt checks),
-- ARGV[8] sequence number of the event within its attempt (1, 2, ...),
-- ARGV[9] status retention seconds (how long the hash outlives a terminal event)
-- Returns the new entry id, or:
--   'ended'  the request is unknown or already has its terminal event (exactly one per request);
--   'superseded'  a later attempt has begun (begin-attempt.lua) or written: this attempt's worker
--                 lost the job and must stop;
--   'dup'    this attempt's event with this sequence number was already written (a retry).
local status = redis.call('HGET', KEYS[1], 'status')
if not status or status == 'done' or status == 'error' then
  return 'ended'
end
local attempt = tonumber(ARGV[7])
if attempt > 0 then
  local current = tonumber(redis.call('HGET', KEYS[1], 'attempt') or '0')
  local begun = tonumber(redis.call('HGET', KEYS[1], 'attempts') or '0')
  if attempt < current or attempt < begun then
    return 'superseded'
  end
  if attempt == current and tonumber(ARGV[8]) <= tonumber(redis.call('HGET', KEYS[1], 'seq') or '0') then
    return 'dup'
  end
end
local previous = redis.call('HGET', KEYS[1], 'last_event') or '0-0'
local id = redis.call('XADD', KEYS[2], '*', 'type', ARGV[1], 'data', ARGV[2])
redis.call('HSET', KEYS[1], 'last_event', id, 'updated_ms', ARGV[6])
if attempt > 0 then
  redis.call('HSET', KEYS[1], 'attempt', ARGV[7], 'seq', ARGV[8])
end
if ARGV[4] == '1' then
  redis.call('HSET', KEYS[1], 'status', ARGV[1], 'answer', ARGV[5], 'result', ARGV[2], 'finished_ms', ARGV[6])
  redis.call('EXPIRE', KEYS[1], ARGV[9])
else
  if ARGV[1] == 'start' then
    redis.call('HSET', KEYS[1], 'status', 'running')
  end
  redis.call('EXPIRE', KEYS[1], ARGV[3])
end
redis.call('EXPIRE', KEYS[2], ARGV[3])
redis.call('PUBLISH', KEYS[2], previous .. '\n' .. id .. '\n' .. ARGV[1] .. '\n' .. ARGV[2])
return id
