-- Takes over an Idempotency-Key whose claim is stale (its POST failed before queuing): replaces the
-- claim only if it is still the one the caller read, so of two retries exactly one takes it over.
-- KEYS[1] the idempotency key
-- ARGV[1] the claim the caller read, ARGV[2] the caller's claim (the key's TTL is kept)
-- Returns 'ok' when the key is now the caller's, false (nil) otherwise.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
  return 'ok'
end
return false
