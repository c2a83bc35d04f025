-- release: delete the lock only if it still holds ARGV[1], then wake the first waiter.
-- KEYS[1] lock key: string holding the holder's token
-- KEYS[2] queue key: list of waiting tokens in arrival order
-- KEYS[3] deadlines key: sorted set token -> Redis-clock ms after which that entry is stale
-- ARGV[1] token of the caller's acquisition
-- ARGV[2] notify channel (shares the hash tag of KEYS[1])
-- Returns:
--   0 released: KEYS[1] held ARGV[1] and is deleted
--   3 expired: nothing was stored (the lease ran out); nothing deleted
--   4 taken: another value is stored; it is left as it is and nobody is woken
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 4 end
local status = 3
if holder then
  redis.call('DEL', KEYS[1])
  status = 0
end

-- The lock is free: prune waiters that did not come back in time, then wake the head.
if redis.call('EXISTS', KEYS[2]) == 1 then
  local clock = redis.call('TIME')
  local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
  local stale = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)
  for _, waiter in ipairs(stale) do
    redis.call('LREM', KEYS[2], 1, waiter)
    redis.call('ZREM', KEYS[3], waiter)
  end
  local head = redis.call('LINDEX', KEYS[2], 0)
  if head then redis.call('PUBLISH', ARGV[2], head) end
end
return status
