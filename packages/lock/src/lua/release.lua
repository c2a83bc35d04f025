-- release: delete the lock only if it still holds ARGV[1], then hand it to the first
-- waiter in line (prelude.lua's handoff), pruning waiters that did not come back in time.
-- KEYS[1] lock key: string holding the holder's token
-- KEYS[2] queue key: list of waiting tokens in arrival order
-- KEYS[3] deadlines key: sorted set token -> Redis-clock ms after which that entry is stale
-- ARGV[1] token of the caller's acquisition
-- ARGV[2] notify channel (shares the hash tag of KEYS[1])
-- ARGV[3] grace ms the waiters were given (acquire.lua's ARGV[5])
-- Returns:
--   0 released: KEYS[1] held ARGV[1] and is deleted (or handed to the next waiter)
--   3 expired: nothing was stored (the lease ran out); nothing deleted
--   4 taken: another value is stored; it is left as it is and nobody is woken
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 4 end
local status = 3
if holder then
  redis.call('DEL', KEYS[1])
  status = 0
end

if redis.call('EXISTS', KEYS[2]) == 1 then
  local now = nowMs()
  prune(KEYS[2], KEYS[3], now, nil)
  handoff(KEYS[1], KEYS[2], KEYS[3], ARGV[2], now, tonumber(ARGV[3]))
end
return status
