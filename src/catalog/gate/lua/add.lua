-- add: add restocked units to a product's gate state, if it has one (a missing state is
-- rebuilt from PostgreSQL, which already counts them; HINCRBY alone would create a
-- state with no limit and no sale start).
-- KEYS[1]   the product's state (hash: left, limit, startsAtMs)
-- ARGV[1]   units added (integer >= 1)
-- Returns the units left after the add, or -1 when the product has no state.
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
return redis.call('HINCRBY', KEYS[1], 'left', ARGV[1])
