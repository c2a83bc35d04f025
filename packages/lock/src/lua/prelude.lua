-- prelude: helpers every lock script starts with (scripts.ts puts this file first).

-- Redis's clock in ms (the same clock for every waiter's deadline).
local function nowMs()
  local clock = redis.call('TIME')
  return tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
end

-- Drops queue entries whose deadline has passed (dead or stalled waiters), except `keep`.
-- Returns how many were dropped.
local function prune(queue, deadlines, now, keep)
  local stale = redis.call('ZRANGEBYSCORE', deadlines, '-inf', now)
  local dropped = 0
  for _, waiter in ipairs(stale) do
    if waiter ~= keep then
      redis.call('LREM', queue, 1, waiter)
      redis.call('ZREM', deadlines, waiter)
      dropped = dropped + 1
    end
  end
  return dropped
end

-- Hand-off: makes the first waiter in line the holder of the (free) lock and tells it,
-- so that it needs no acquire of its own. Its lease is its own (the token ends in
-- ':<lease ms>'), cut to what is left of its wait deadline: a dead head waiter holds the
-- lock no longer than it would have blocked the queue anyway. A head whose token names
-- no lease (another client) or that has no deadline is only woken, as before.
-- The next waiter sleeps until about its own deadline less `grace` (the old holder's
-- lease end): when the new lease ends before that, it is woken to look again, so a dead
-- head waiter delays it by at most `grace` past the head's deadline.
-- Returns the new holder's token, or nil when nobody took the lock.
local function handoff(lock, queue, deadlines, channel, now, grace)
  local head = redis.call('LINDEX', queue, 0)
  if not head then return nil end
  local lease = tonumber(string.match(head, ':(%d+)$'))
  local deadline = tonumber(redis.call('ZSCORE', deadlines, head))
  if not lease or not deadline or deadline <= now then
    redis.call('SPUBLISH', channel, head)
    return nil
  end
  local px = math.min(lease, deadline - now)
  redis.call('SET', lock, head, 'PX', px)
  redis.call('LPOP', queue)
  redis.call('ZREM', deadlines, head)
  redis.call('SPUBLISH', channel, 'g:' .. head)
  local next = redis.call('LINDEX', queue, 0)
  if next then
    local nextDeadline = tonumber(redis.call('ZSCORE', deadlines, next))
    if nextDeadline and now + px < nextDeadline - grace then
      redis.call('SPUBLISH', channel, next)
    end
  end
  return head
end
