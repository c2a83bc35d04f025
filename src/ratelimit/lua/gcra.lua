-- gcra: count one request against a principal with the generic cell rate algorithm.
-- The key holds the theoretical arrival time (TAT): the Redis-clock instant, in
-- microseconds, at which the principal's bucket would be full again. Time comes from
-- Redis's own TIME, so every API instance judges by the same clock.
-- KEYS[1] the principal's key (string: TAT in microseconds), e.g. rl:{buyer:abc}
-- ARGV[1] emission interval in microseconds (integer >= 1): 1e6 / requests per second
-- ARGV[2] burst (integer >= 1): requests allowed at once from a full bucket
-- Returns {allowed, remaining, retryUs, fullUs}:
--   allowed   1 when the request is admitted (and counted), 0 when it is refused (not counted)
--   remaining requests that could still be admitted right now (0 when refused)
--   retryUs   microseconds until the next request would be admitted (0 while remaining > 0)
--   fullUs    microseconds until the whole burst is available again
local interval, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])

-- A missing key (or one overwritten by hand) means a full bucket.
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local nextTat = tat + interval
-- The earliest instant this request fits: `burst` intervals of tolerance before nextTat.
local allowAt = nextTat - burst * interval

if now < allowAt then
  return {0, 0, allowAt - now, tat - now}
end

-- Expire with the bucket: once the TAT has passed, a missing key means the same (full).
local ttlMs = math.ceil((nextTat - now) / 1000)
redis.call('SET', KEYS[1], string.format('%.0f', nextTat), 'PX', ttlMs)
local remaining = math.floor((now - allowAt) / interval)
-- The next request's allowAt, seen from now: positive only when this one took the last unit.
local retryUs = math.max(0, nextTat - (burst - 1) * interval - now)
return {1, remaining, retryUs, nextTat - now}
