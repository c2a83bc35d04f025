-- acquire: take the lock for ARGV[1], or keep ARGV[1]'s place in the fair queue.
-- KEYS[1] lock key: string holding the holder's token, with a PX expiry
-- KEYS[2] queue key: list of waiting tokens in arrival order (head = served next)
-- KEYS[3] deadlines key: sorted set token -> Redis-clock ms after which that entry is stale
-- ARGV[1] token: random, one per acquisition, ending in ':<lease ms>' (for hand-offs)
-- ARGV[2] lease in ms (integer >= 10)
-- ARGV[3] mode: 'wait' joins/refreshes the queue when not granted; 'try' never leaves an entry
-- ARGV[4] ms the caller may still wait (ignored for 'try')
-- ARGV[5] grace ms: how late after its wake time a waiter may come back before it is stale
-- ARGV[6] notify channel (shares the hash tag of KEYS[1])
-- Returns {status, remaining, wake}:
--   {0, lease, 0}   acquired: KEYS[1] = ARGV[1] PX ARGV[2], ARGV[1] left the queue (also
--                   when a release had handed the lock to ARGV[1] already)
--   {1, pttl, wake} busy: another token holds it; pttl as PTTL (-1 = no expiry); sleep wake ms
--   {2, 0, wake}    queued: the lock is free but an earlier waiter is first; sleep wake ms
-- A queued caller's entry is stale after now + min(ARGV[4], wake + ARGV[5]): a hand-off
-- to it leases the lock until then at most.
local token, lease, mode = ARGV[1], tonumber(ARGV[2]), ARGV[3]

-- Fast path: a free lock nobody queues for (the uncontended case) needs no clock, no
-- pruning and no queue read.
if redis.call('EXISTS', KEYS[1], KEYS[2]) == 0 then
  redis.call('SET', KEYS[1], token, 'PX', lease)
  return {0, lease, 0}
end

local now = nowMs()

-- Drop waiters that did not come back in time (dead or stalled); never the caller itself.
prune(KEYS[2], KEYS[3], now, token)

-- An entry without a deadline (companion key removed by hand) could never go stale: drop it.
local head = redis.call('LINDEX', KEYS[2], 0)
while head and head ~= token and not redis.call('ZSCORE', KEYS[3], head) do
  redis.call('LPOP', KEYS[2])
  head = redis.call('LINDEX', KEYS[2], 0)
end

local holder = redis.call('GET', KEYS[1])
-- A free lock with an earlier waiter first in line (its holder's lease ran out, nobody
-- released): it is that waiter's turn; hand it over rather than let it sleep on.
if not holder and head and head ~= token then
  holder = handoff(KEYS[1], KEYS[2], KEYS[3], ARGV[6], now, tonumber(ARGV[5]))
  if holder then head = redis.call('LINDEX', KEYS[2], 0) end
end
if holder == token or (not holder and (not head or head == token)) then
  redis.call('SET', KEYS[1], token, 'PX', lease)
  if head then
    redis.call('LREM', KEYS[2], 1, token)
    redis.call('ZREM', KEYS[3], token)
  end
  return {0, lease, 0}
end

local status, remaining, wake
if holder then
  status = 1
  remaining = redis.call('PTTL', KEYS[1])
  wake = remaining
  if wake < 0 then wake = lease end
else
  -- Only for a head that takes no hand-off (its token names no lease): wake it.
  status = 2
  remaining = 0
  wake = math.max(1, tonumber(redis.call('ZSCORE', KEYS[3], head)) - now)
end

if mode == 'wait' then
  local deadline = now + math.min(tonumber(ARGV[4]), wake + tonumber(ARGV[5]))
  if not redis.call('ZSCORE', KEYS[3], token) then
    redis.call('RPUSH', KEYS[2], token)
  end
  redis.call('ZADD', KEYS[3], deadline, token)
  -- Both companion keys live until the last entry goes stale, so nothing is left behind.
  local last = redis.call('ZRANGE', KEYS[3], -1, -1, 'WITHSCORES')
  local expiry = math.max(1, tonumber(last[2]) - now) + 1000
  redis.call('PEXPIRE', KEYS[2], expiry)
  redis.call('PEXPIRE', KEYS[3], expiry)
elseif redis.call('LREM', KEYS[2], 1, token) > 0 then
  redis.call('ZREM', KEYS[3], token)
end
return {status, remaining, wake}
