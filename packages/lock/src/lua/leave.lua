-- leave: remove ARGV[1]'s queue entry (a waiter that gives up). When the lock was handed
-- to ARGV[1] meanwhile, or ARGV[1] was first in line while the lock is free, the lock
-- goes to the next waiter, so the turn is not wasted.
-- KEYS[1] lock key: string holding the holder's token
-- KEYS[2] queue key: list of waiting tokens in arrival order
-- KEYS[3] deadlines key: sorted set token -> Redis-clock ms after which that entry is stale
-- ARGV[1] token of the waiter that leaves
-- ARGV[2] notify channel (shares the hash tag of KEYS[1])
-- ARGV[3] grace ms the waiters were given (acquire.lua's ARGV[5])
-- Returns:
--   0 left (also when ARGV[1] was not queued: leaving is idempotent)
local holder = redis.call('GET', KEYS[1])
local head = redis.call('LINDEX', KEYS[2], 0)
local queued = redis.call('LREM', KEYS[2], 1, ARGV[1]) > 0
if queued then redis.call('ZREM', KEYS[3], ARGV[1]) end
if holder == ARGV[1] then
  redis.call('DEL', KEYS[1])
elseif not (queued and head == ARGV[1] and not holder) then
  return 0
end
local now = nowMs()
prune(KEYS[2], KEYS[3], now, nil)
handoff(KEYS[1], KEYS[2], KEYS[3], ARGV[2], now, tonumber(ARGV[3]))
return 0
