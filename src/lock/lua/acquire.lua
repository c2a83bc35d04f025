-- acquire: take the lock for ARGV[1], or keep ARGV[1]'s place in the fair queue.
-- KEYS[1] lock key: string holding the holder's token, with a PX expiry
-- KEYS[2] queue key: list of waiting tokens in arrival order (head = served next)
-- KEYS[3] deadlines key: sorted set token -> Redis-clock ms after which that entry is stale
-- ARGV[1] token: random, one per acquisition
-- ARGV[2] lease in ms (integer >= 10)
-- ARGV[3] mode: 'wait' joins/refreshes the queue when not granted; 'try' never leaves an entry
-- ARGV[4] ms the caller may still wait (ignored for 'try')
-- ARGV[5] grace ms: how late after its wake time a waiter may come back before it is stale
-- ARGV[6] notify channel (shares the hash tag of KEYS[1])
-- Returns {status, remaining, wake}:
--   {0, lease, 0}   acquired: KEYS[1] = ARGV[1] PX ARGV[2], ARGV[1] left the queue
--   {1, pttl, wake} busy: another token holds it; pttl as PTTL (-1 = no expiry); sleep wake ms
--   {2, 0, wake}    queued: the lock is free but an earlier waiter is first; sleep wake ms
local token, lease, mode = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)

-- Drop waiters that did not come back in time (dead or stalled); never the caller itself.
local stale = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)
for _, waiter in ipairs(stale) do
  if waiter ~= token then
    redis.call('LREM', KEYS[2], 1, waiter)
    redis.call('ZREM', KEYS[3], waiter)
  end
end

-- An entry without a deadline (companion key removed by hand) could never go stale: drop it.
local head = redis.call('LINDEX', KEYS[2], 0)
while head and head ~= token and not redis.call('ZSCORE', KEYS[3], head) do
  redis.call('LPOP', KEYS[2])
  head = redis.call('LINDEX', KEYS[2], 0)
end

local holder = redis.call('GET', KEYS[1])
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
  status = 2
  remaining = 0
  wake = math.max(1, tonumber(redis.call('ZSCORE', KEYS[3], head)) - now)
  -- Pruning may have made `head` the first in line while it sleeps: tell it.
  if #stale > 0 then redis.call('PUBLISH', ARGV[6], head) end
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
