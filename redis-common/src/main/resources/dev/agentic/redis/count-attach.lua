-- A client attaches to a request's stream on an ingress instance (a first stream, a resume, a
-- JSON wait): its relay channel joins the request's 'relays' (no duplicates, at most ARGV[3]), and
-- the attachment is counted when ARGV[1] names the counter field. Only while the request exists
-- (never recreates an expired hash without its TTL).
-- KEYS[1] request hash; ARGV[1] counter field ('' to count nothing), ARGV[2] relay channel ('' for
-- none), ARGV[3] the most relay channels a request keeps.
-- Returns the new count as text ('1' when nothing is counted), or '0' if the request is gone.
local h = redis.call('HMGET', KEYS[1], 'status', 'relays')
if not h[1] then
  return '0'
end
if ARGV[2] ~= '' then
  local list = h[2] or ''
  local count = 0
  local present = false
  for channel in string.gmatch(list, '%S+') do
    if channel == ARGV[2] then
      present = true
    end
    count = count + 1
  end
  if not present and count < tonumber(ARGV[3]) then
    redis.call('HSET', KEYS[1], 'relays', list == '' and ARGV[2] or (list .. ' ' .. ARGV[2]))
  end
end
if ARGV[1] == '' then
  return '1'
end
return tostring(redis.call('HINCRBY', KEYS[1], ARGV[1], 1))
