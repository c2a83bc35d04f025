-- leave: remove ARGV[1]'s queue entry (a waiter that gives up); wake the next waiter
-- when ARGV[1] was first in line and the lock is free, so its turn is not wasted.
-- KEYS[1] lock key: string holding the holder's token
-- KEYS[2] queue key: list of waiting tokens in arrival order
-- KEYS[3] deadlines key: sorted set token -> Redis-clock ms after which that entry is stale
-- ARGV[1] token of the waiter that leaves
-- ARGV[2] notify channel (shares the hash tag of KEYS[1])
-- Returns:
--   0 left (also when ARGV[1] was not queued: leaving is idempotent)
local head = redis.call('LINDEX', KEYS[2], 0)
if redis.call('LREM', KEYS[2], 1, ARGV[1]) == 0 then return 0 end
redis.call('ZREM', KEYS[3], ARGV[1])
if head == ARGV[1] and redis.call('EXISTS', KEYS[1]) == 0 then
  local next = redis.call('LINDEX', KEYS[2], 0)
  if next then redis.call('PUBLISH', ARGV[2], next) end
end
return 0
