-- Appends a batch of one attempt's events to a request's log and publishes the batch, atomically,
-- so a relay that misses the live message can always fill the gap from the log.
-- KEYS[1] request hash, KEYS[2] event log stream
-- ARGV[1] request id, ARGV[2] log retention seconds, ARGV[3] status retention seconds (how long
-- the hash outlives a terminal event), ARGV[4] now in epoch millis,
-- ARGV[5] attempt (0 = an event of the system, e.g. a cancel: no attempt checks),
-- ARGV[6] sequence number of the batch within its attempt (1, 2, ...),
-- ARGV[7] '1' to refresh both keys' TTL (only needed when the request may outlive the TTL set when
-- it was opened), ARGV[8] final answer (terminal only), ARGV[9] '1' if the batch's last event is
-- terminal, ARGV[10] channel to publish the request id on when the batch ends the request ('' none),
-- ARGV[11] the TTL slack in seconds, ARGV[12], ARGV[13] type and JSON data of the first event, then
-- of the next ones, in order.
-- TTLs: whoever sets them (open-request.lua, begin-attempt.lua, a refresh here) sets the log's to
-- its retention plus the slack and the hash's to the status retention plus the slack, and notes when
-- each key then expires ('log_expires_ms', 'expires_ms'). A terminal event sets a key's TTL only when
-- that would not leave the key its retention (log) or status retention (hash) from now: most
-- requests end within the slack and send no EXPIRE.
-- One HMGET, one XADD per event, one HSET, EXPIRE only on ARGV[7] or a terminal whose keys would
-- otherwise expire too soon, one
-- PUBLISH per relay channel of the request (field 'relays'), each carrying the whole batch: request
-- id, then per event previous id, id, type, data, one per line.
-- Returns the last new entry id, or:
--   'ended'  the request is unknown or already has its terminal event (exactly one per request);
--   'superseded'  a later attempt has begun (begin-attempt.lua) or written: this attempt's worker
--                 lost the job and must stop;
--   'dup'    this attempt's batch with this sequence number was already written (a retry).
local h = redis.call('HMGET', KEYS[1], 'status', 'attempt', 'attempts', 'seq', 'last_event', 'relays', 'expires_ms', 'log_expires_ms')
local status = h[1]
if not status or status == 'done' or status == 'error' then
  return 'ended'
end
local attempt = tonumber(ARGV[5])
if attempt > 0 then
  local current = tonumber(h[2] or '0')
  local begun = tonumber(h[3] or '0')
  if attempt < current or attempt < begun then
    return 'superseded'
  end
  if attempt == current and tonumber(ARGV[6]) <= tonumber(h[4] or '0') then
    return 'dup'
  end
end
local previous = h[5] or '0-0'
local message = {ARGV[1]}
local id, type, data
local running = false
for i = 12, #ARGV - 1, 2 do
  type, data = ARGV[i], ARGV[i + 1]
  id = redis.call('XADD', KEYS[2], '*', 'type', type, 'data', data)
  message[#message + 1] = previous
  message[#message + 1] = id
  message[#message + 1] = type
  message[#message + 1] = data
  previous = id
  if type == 'start' then
    running = true
  end
end
local fields = {'last_event', id, 'updated_ms', ARGV[4]}
if attempt > 0 then
  fields[#fields + 1] = 'attempt'; fields[#fields + 1] = ARGV[5]
  fields[#fields + 1] = 'seq'; fields[#fields + 1] = ARGV[6]
end
local terminal = ARGV[9] == '1'
local slack = tonumber(ARGV[11])
local refresh = ARGV[7] == '1' and not terminal
local now = tonumber(ARGV[4])
if refresh then
  fields[#fields + 1] = 'expires_ms'
  fields[#fields + 1] = string.format('%d', now + (tonumber(ARGV[3]) + slack) * 1000)
  fields[#fields + 1] = 'log_expires_ms'
  fields[#fields + 1] = string.format('%d', now + (tonumber(ARGV[2]) + slack) * 1000)
end
if terminal then
  fields[#fields + 1] = 'status'; fields[#fields + 1] = type
  fields[#fields + 1] = 'answer'; fields[#fields + 1] = ARGV[8]
  fields[#fields + 1] = 'result'; fields[#fields + 1] = data
  fields[#fields + 1] = 'finished_ms'; fields[#fields + 1] = ARGV[4]
elseif running then
  fields[#fields + 1] = 'status'; fields[#fields + 1] = 'running'
end
redis.call('HSET', KEYS[1], unpack(fields))
if terminal then
  if tonumber(h[7] or '0') < now + tonumber(ARGV[3]) * 1000 then
    redis.call('EXPIRE', KEYS[1], ARGV[3])
  end
  if tonumber(h[8] or '0') < now + tonumber(ARGV[2]) * 1000 then
    redis.call('EXPIRE', KEYS[2], ARGV[2])
  end
elseif refresh then
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]) + slack)
  redis.call('EXPIRE', KEYS[2], tonumber(ARGV[2]) + slack)
end
if h[6] then
  local text = table.concat(message, '\n')
  for channel in string.gmatch(h[6], '%S+') do
    redis.call('PUBLISH', channel, text)
  end
end
if terminal and ARGV[10] ~= '' then
  redis.call('PUBLISH', ARGV[10], ARGV[1])
end
return id
