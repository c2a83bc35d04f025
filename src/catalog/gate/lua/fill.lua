-- fill: write one product's gate state as PostgreSQL has it.
-- KEYS[1]   the product's state (hash: left, limit, startsAtMs)
-- KEYS[2]   the product's holdings (hash buyerId -> units held)
-- ARGV[1]   'missing': write only if KEYS[1] does not exist (a rebuild after a MISS; a
--           concurrent rebuild or take since the read must not be overwritten);
--           'reset': write only if KEYS[1] exists (the reconciler: a flushed product
--           stays missing until an order rebuilds it)
-- ARGV[2]   units left (products.stock); ARGV[3] per-buyer limit (0 = none);
-- ARGV[4]   sale start in epoch ms (0 = none)
-- ARGV[5..] buyerId, held, buyerId, held, ... (buyer_holdings, limited products only)
-- Returns 1 when written, 0 when left alone.
local exists = redis.call('EXISTS', KEYS[1]) == 1
if (ARGV[1] == 'missing') == exists then return 0 end
redis.call('HSET', KEYS[1], 'left', ARGV[2], 'limit', ARGV[3], 'startsAtMs', ARGV[4])
redis.call('DEL', KEYS[2])
for i = 5, #ARGV, 2 do
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
end
return 1
