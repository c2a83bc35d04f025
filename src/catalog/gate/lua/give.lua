-- give: give back what one order took from the stock gate, once. The order's record
-- (written by take.lua) says how much; it is deleted here, so a second give-back of the
-- same order (a retry, a cancel after a failed placement) gives nothing.
-- KEYS[1]        the order's record (hash productId -> units taken)
-- KEYS[2i]       product i's state; KEYS[2i+1] product i's holdings, for i = 1..n
-- ARGV[1]        the buyer's id
-- ARGV[i+1]      product i's id
-- Returns the units given back in all (0 when the record is gone: given back already,
-- expired, or never taken).
local n = (#KEYS - 1) / 2
local given = 0
for i = 1, n do
  local units = tonumber(redis.call('HGET', KEYS[1], ARGV[i + 1])) or 0
  -- A product without state (flushed) is rebuilt from PostgreSQL: nothing to give back.
  if units > 0 and redis.call('EXISTS', KEYS[2 * i]) == 1 then
    redis.call('HINCRBY', KEYS[2 * i], 'left', units)
    local held = tonumber(redis.call('HGET', KEYS[2 * i + 1], ARGV[1]))
    if held ~= nil then
      if held - units > 0 then
        redis.call('HSET', KEYS[2 * i + 1], ARGV[1], held - units)
      else
        redis.call('HDEL', KEYS[2 * i + 1], ARGV[1])
      end
    end
    given = given + units
  end
end
redis.call('DEL', KEYS[1])
return given
