-- extend: reset the lease to ARGV[2] ms only if the lock still holds ARGV[1].
-- KEYS[1] lock key: string holding the holder's token
-- ARGV[1] token of the caller's acquisition
-- ARGV[2] new lease in ms (integer >= 10), counted from now
-- Returns:
--   0 extended
--   3 expired: nothing is stored (the lease ran out)
--   4 taken: another value is stored; it is left as it is
local holder = redis.call('GET', KEYS[1])
if not holder then return 3 end
if holder ~= ARGV[1] then return 4 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 0
