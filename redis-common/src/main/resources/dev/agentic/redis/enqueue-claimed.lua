-- Puts a job on its lane and marks the Idempotency-Key claimed for it as queued, in one step: the
-- mark is true exactly when the job is on the queue, whatever instance or connection dies when.
-- KEYS[1] the idempotency key (left alone if it has expired), KEYS[2] the lane stream
-- ARGV[1] the key's new value (the claim, marked queued), ARGV[2] version field name,
-- ARGV[3] version, ARGV[4] job field name, ARGV[5] the job
-- Returns the new entry id.
redis.call('SET', KEYS[1], ARGV[1], 'XX', 'KEEPTTL')
return redis.call('XADD', KEYS[2], '*', ARGV[2], ARGV[3], ARGV[4], ARGV[5])
