-- take: take the units of every product of one order from the stock gate, all or none.
-- The gate only filters: PostgreSQL still decides. Products come in product-id order,
-- the order PostgreSQL checks them in, so both name the same product when they refuse.
-- KEYS[1]        the order's record of what it took (hash productId -> units, with a TTL)
-- KEYS[2i]       product i's state (hash: left, limit (0 = none), startsAtMs (0 = none))
-- KEYS[2i+1]     product i's holdings (hash buyerId -> units held), for i = 1..n
-- KEYS[2n+2]     the merchant's orders in flight (sorted set, see keys.ts inFlightKey)
-- ARGV[1]        the buyer's id
-- ARGV[2]        TTL of KEYS[1] in ms (integer >= 1)
-- ARGV[3]        the order's id
-- ARGV[2i+2]     product i's id; ARGV[2i+3] the units wanted of it (integer >= 1)
-- Returns {status, index, a, b}:
--   {0}                        taken (and recorded in KEYS[1])
--   {1, i, j, ...}             MISS: products i, j, ... have no state; nothing taken
--   {2, i}                     out of stock: product i has fewer units left than wanted
--   {3, i, startsAtMs}         sale not started: product i's sale starts at startsAtMs
--   {4, i, limit, held}        purchase limit: the buyer holds `held` of product i's `limit`
local n = (#KEYS - 2) / 2
local inFlight = KEYS[#KEYS]
local missing = {1}
for i = 1, n do
  if redis.call('EXISTS', KEYS[2 * i]) == 0 then missing[#missing + 1] = i end
end
if #missing > 1 then return missing end

local clock = redis.call('TIME')
local nowMs = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local buyer = ARGV[1]
for i = 1, n do
  local want = tonumber(ARGV[2 * i + 3])
  local state = redis.call('HMGET', KEYS[2 * i], 'left', 'limit', 'startsAtMs')
  local left, limit, startsAt = tonumber(state[1]) or 0, tonumber(state[2]) or 0, tonumber(state[3]) or 0
  if startsAt > nowMs then return {3, i, startsAt} end
  if left < want then return {2, i} end
  if limit > 0 then
    local held = tonumber(redis.call('HGET', KEYS[2 * i + 1], buyer)) or 0
    if held + want > limit then return {4, i, limit, held} end
  end
end

for i = 1, n do
  local id, want = ARGV[2 * i + 2], tonumber(ARGV[2 * i + 3])
  redis.call('HINCRBY', KEYS[2 * i], 'left', -want)
  if (tonumber(redis.call('HGET', KEYS[2 * i], 'limit')) or 0) > 0 then
    redis.call('HINCRBY', KEYS[2 * i + 1], buyer, want)
  end
  redis.call('HSET', KEYS[1], id, want)
  redis.call('ZADD', inFlight, nowMs, ARGV[3] .. ' ' .. id .. ' ' .. want .. ' ' .. buyer)
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
-- Settled orders leave the set; a dead process's entries go stale, then the set expires.
redis.call('PEXPIRE', inFlight, 60000)
return {0}
