-- Renews the stream leases one ingress instance holds for one tenant, in one call per interval.
-- KEYS[1] the tenant's stream leases (sorted set, lease id -> expiry epoch ms of Redis time)
-- ARGV[1] lease ms, ARGV[2..] the lease ids of the instance's live streams
-- A lease found missing (it expired while Redis was out of reach longer than a lease) is added
-- again: a live stream is always counted. Expired leases of dead instances are dropped.
-- Reply: the ids that had to be added again.
local time = redis.call('TIME')
local nowMs = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local lease = tonumber(ARGV[1])
local expiry = nowMs + lease
local ids = {}
local args = {}
for i = 2, #ARGV do
  ids[#ids + 1] = ARGV[i]
  args[#args + 1] = expiry
  args[#args + 1] = ARGV[i]
end
local lost = {}
if #ids > 0 then
  local renewed = redis.call('ZADD', KEYS[1], 'XX', 'CH', unpack(args))
  if renewed < #ids then
    local scores = redis.call('ZMSCORE', KEYS[1], unpack(ids))
    local again = {}
    for i = 1, #ids do
      if not scores[i] then
        lost[#lost + 1] = ids[i]
        again[#again + 1] = expiry
        again[#again + 1] = ids[i]
      end
    end
    if #again > 0 then redis.call('ZADD', KEYS[1], unpack(again)) end
  end
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', nowMs)
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], lease) end
return lost
