-- Counts one more client attaching to a request's stream, only while the request exists (never
-- recreates an expired hash without its TTL).
-- KEYS[1] request hash; ARGV[1] counter field.
-- Returns the new count as text, or '0' if the request is gone.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return '0'
end
return tostring(redis.call('HINCRBY', KEYS[1], ARGV[1], 1))
