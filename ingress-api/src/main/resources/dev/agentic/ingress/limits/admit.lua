-- Admits one request of a tenant, all checks or none: budgets, request rate (GCRA, two windows),
-- and a stream lease. A refusal changes nothing (no rate quota used, no lease taken).
-- KEYS (one cluster slot, the {tenant} hash tag):
--   1 rate state: string "<tat burst> <tat minute>" in microseconds of Redis time
--   2 stream leases: sorted set, lease id -> expiry (epoch ms of Redis time)
-- ARGV:
--   1 daily budget usd, 2 monthly budget usd (0: none)
--   3 burst quota, 4 burst period us, 5 minute quota, 6 minute period us (quota 0: window off)
--   7 lease id ('' : no stream lease wanted), 8 max streams, 9 lease ms
--   10 usage day hash, 11 usage month hash (field total:cost_usd): read only, named here rather
--      than as KEYS because Redis ACLs demand write access to a script's declared keys and the
--      ingress may only read the ledger the workers write. They carry the same {tenant} hash tag,
--      so they are on this slot in a cluster too.
-- Reply:
--   {'ok', r1, t1, r2, t2}             remaining and seconds to full quota per window (-1: window off)
--   {'budget', 'day'|'month', spent}
--   {'rate', window, retry s, r1, t1, r2, t2}
--   {'streams', held}
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])

local function spent(key)
  return tonumber(redis.call('HGET', key, 'total:cost_usd') or '0') or 0
end
local dayBudget, monthBudget = tonumber(ARGV[1]), tonumber(ARGV[2])
if dayBudget > 0 then
  local s = spent(ARGV[10])
  if s >= dayBudget then return {'budget', 'day', tostring(s)} end
end
if monthBudget > 0 then
  local s = spent(ARGV[11])
  if s >= monthBudget then return {'budget', 'month', tostring(s)} end
end

-- GCRA: a window of quota q per period p gives back one place every p/q (whole microseconds,
-- rounded down, so q places always fit in p); tat is when every place used so far is back. A
-- request fits when, after taking a place, tat - now <= p.
local quota = {tonumber(ARGV[3]), tonumber(ARGV[5])}
local period = {tonumber(ARGV[4]), tonumber(ARGV[6])}
local interval = {1, 1}
for i = 1, 2 do
  if quota[i] > 0 then interval[i] = math.max(1, math.floor(period[i] / quota[i])) end
end
local rated = quota[1] > 0 or quota[2] > 0
local tat = {now, now}
if rated then
  local state = redis.call('GET', KEYS[1])
  if state then
    local a, b = string.match(state, '^(%d+) (%d+)$')
    if a then tat = {math.max(tonumber(a), now), math.max(tonumber(b), now)} end
  end
end
local newTat = {tat[1], tat[2]}
local refused = 0
for i = 1, 2 do
  if quota[i] > 0 then
    newTat[i] = tat[i] + interval[i]
    if refused == 0 and newTat[i] - now > period[i] then refused = i end
  end
end

local function state(i, t)
  if quota[i] <= 0 then return -1, -1 end
  local remaining = math.floor((now + period[i] - t) / interval[i])
  return math.max(0, math.min(quota[i], remaining)), math.ceil((t - now) / 1000000)
end

if refused > 0 then
  local retry = math.max(1, math.ceil((newTat[refused] - now - period[refused]) / 1000000))
  local r1, t1 = state(1, tat[1])
  local r2, t2 = state(2, tat[2])
  if refused == 1 then r1, t1 = 0, retry else r2, t2 = 0, retry end
  return {'rate', refused, retry, r1, t1, r2, t2}
end

local nowMs = math.floor(now / 1000)
if ARGV[7] ~= '' then
  local max = tonumber(ARGV[8])
  local held = redis.call('ZCARD', KEYS[2])
  if held >= max then
    -- Full, or holding the leases of a dead instance: drop the expired ones and count again.
    redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', nowMs)
    held = redis.call('ZCARD', KEYS[2])
    if held >= max then return {'streams', held} end
  end
end

if rated then
  local last = math.max(newTat[1], newTat[2])
  redis.call('SET', KEYS[1], string.format('%.0f %.0f', newTat[1], newTat[2]),
    'PX', math.max(1, math.ceil((last - now) / 1000)))
end
if ARGV[7] ~= '' then
  local lease = tonumber(ARGV[9])
  redis.call('ZADD', KEYS[2], nowMs + lease, ARGV[7])
  -- The set lives as long as its newest lease: every older one expires no later.
  redis.call('PEXPIRE', KEYS[2], lease)
end
local r1, t1 = state(1, newTat[1])
local r2, t2 = state(2, newTat[2])
return {'ok', r1, t1, r2, t2}
