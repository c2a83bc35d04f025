-- fill: write one gated thing's state (a product's, a coupon's) as PostgreSQL has it.
-- KEYS[1]   its state (hash of numbers: a product's left, limit, startsAtMs; a coupon's
--           total, claimed, fromMs, untilMs)
-- KEYS[2]   its holders (hash buyerId -> number: a product's units held per buyer, a
--           coupon's claimants with 1)
-- ARGV[1]   'missing': write only if KEYS[1] does not exist (a rebuild after a MISS; a
--           concurrent rebuild or take since the read must not be overwritten);
--           'reset': write only if KEYS[1] exists (the reconciler: a flushed thing
--           stays missing until a request rebuilds it)
-- ARGV[2]   n, the number of state fields
-- ARGV[3..2+2n]   field, value, field, value, ... (the state)
-- ARGV[3+2n..]    buyerId, value, buyerId, value, ... (the holders)
-- Returns 1 when written, 0 when left alone.
local exists = redis.call('EXISTS', KEYS[1]) == 1
if (ARGV[1] == 'missing') == exists then return 0 end
local n = tonumber(ARGV[2])
redis.call('DEL', KEYS[1], KEYS[2])
for i = 3, 2 + 2 * n, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
for i = 3 + 2 * n, #ARGV, 2 do
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
end
return 1
