-- unclaim: undo one buyer's claim at the coupon gate (PostgreSQL refused or failed it),
-- once: only a buyer still among the claimants is removed and counted down, so a second
-- call, or one after a flush and a rebuild that never saw the claim, changes nothing.
-- KEYS[1]   the coupon's state (hash: total, claimed, fromMs, untilMs)
-- KEYS[2]   the coupon's claimants (hash buyerId -> 1)
-- ARGV[1]   the buyer's id
-- Returns 1 when the claim was undone, 0 when there was nothing to undo.
if redis.call('HDEL', KEYS[2], ARGV[1]) == 0 then return 0 end
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HINCRBY', KEYS[1], 'claimed', -1) end
return 1
