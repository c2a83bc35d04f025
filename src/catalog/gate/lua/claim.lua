-- claim: one buyer claims one coupon at the coupon gate: the claimed count and the set of
-- claimants change together, atomically. The gate only filters: PostgreSQL still decides.
-- KEYS[1]   the coupon's state (hash: total, claimed, fromMs (0 = open), untilMs (0 = open))
-- KEYS[2]   the coupon's claimants (hash buyerId -> 1)
-- ARGV[1]   the buyer's id
-- Returns {status, a, b}, checked in the order PostgreSQL refuses in:
--   {0}                  claimed here (the buyer joined the claimants, claimed + 1)
--   {1}                  MISS: the coupon has no state; nothing changed
--   {2}                  the buyer is a claimant already
--   {3, fromMs, untilMs} outside the coupon's validity (Redis's clock)
--   {4}                  sold out: claimed has reached total
if redis.call('EXISTS', KEYS[1]) == 0 then return {1} end
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return {2} end
local state = redis.call('HMGET', KEYS[1], 'total', 'claimed', 'fromMs', 'untilMs')
local total, claimed = tonumber(state[1]) or 0, tonumber(state[2]) or 0
local from, till = tonumber(state[3]) or 0, tonumber(state[4]) or 0
local clock = redis.call('TIME')
local nowMs = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
if (from > 0 and nowMs < from) or (till > 0 and nowMs >= till) then return {3, from, till} end
if claimed >= total then return {4} end
redis.call('HSET', KEYS[2], ARGV[1], 1)
redis.call('HINCRBY', KEYS[1], 'claimed', 1)
return {0}
