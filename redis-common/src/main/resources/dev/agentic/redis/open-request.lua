-- Creates a request's hash and writes its first event ('queued'), unless the id exists already; in
-- both cases the opening ingress's relay channel joins the request's 'relays' (so the events the
-- workers emit from now on are published to it).
-- KEYS[1] request hash, KEYS[2] event log stream
-- ARGV[1] tenant, ARGV[2] agent, ARGV[3] lane, ARGV[4] now millis, ARGV[5] deadline millis,
-- ARGV[6] the log's TTL seconds, ARGV[7] queued event JSON, ARGV[8] relay channel ('' for none),
-- ARGV[9] the most relay channels a request keeps, ARGV[10] the hash's TTL seconds (both TTLs a
-- slack above their retention, so a request that ends soon need not set them again: emit.lua; the
-- hash notes when each key expires in 'expires_ms' and 'log_expires_ms')
-- Returns the queued event's entry id (then the log holds exactly that event: nothing is published,
-- the opener knows it), or false if the request already existed.
if redis.call('EXISTS', KEYS[1]) == 1 then
  if ARGV[8] ~= '' then
    local list = redis.call('HGET', KEYS[1], 'relays') or ''
    local count = 0
    for channel in string.gmatch(list, '%S+') do
      if channel == ARGV[8] then
        return false
      end
      count = count + 1
    end
    if count < tonumber(ARGV[9]) then
      redis.call('HSET', KEYS[1], 'relays', list == '' and ARGV[8] or (list .. ' ' .. ARGV[8]))
    end
  end
  return false
end
local id = redis.call('XADD', KEYS[2], '*', 'type', 'queued', 'data', ARGV[7])
redis.call('HSET', KEYS[1], 'tenant', ARGV[1], 'agent', ARGV[2], 'lane', ARGV[3], 'status', 'queued',
  'created_ms', ARGV[4], 'updated_ms', ARGV[4], 'deadline_ms', ARGV[5], 'last_event', id,
  'relays', ARGV[8], 'expires_ms', string.format('%d', ARGV[4] + ARGV[10] * 1000),
  'log_expires_ms', string.format('%d', ARGV[4] + ARGV[6] * 1000))
redis.call('EXPIRE', KEYS[1], ARGV[10])
redis.call('EXPIRE', KEYS[2], ARGV[6])
return id
