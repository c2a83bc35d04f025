-- give: give back what one order took from the stock gate, once. The order's record
-- (written by take.lua) says how much; it is deleted here, so a second give-back of the
-- same order (a retry, a cancel after a failed placement) gives nothing. A product that
-- PostgreSQL refused as out of stock gets its buyer's holding back but not its units:
-- the gate counted units PostgreSQL does not have (a reconciler reset while orders were
-- in flight, a rebuild), and giving them back would let them be taken and refused again
-- and again for as long as the sale lasts.
-- KEYS[1]        the order's record (hash productId -> units taken)
-- KEYS[2i]       product i's state; KEYS[2i+1] product i's holdings, for i = 1..n
-- KEYS[2n+2]     the merchant's orders in flight (the order leaves it)
-- ARGV[1]        the buyer's id
-- ARGV[2]        the id of the product PostgreSQL found out of stock, '' for none
-- ARGV[3]        the order's id
-- ARGV[i+3]      product i's id
-- Returns the units given back to products' `left` in all (0 when the record is gone:
-- given back already, expired, or never taken).
local n = (#KEYS - 2) / 2
local given = 0
for i = 1, n do
  local units = tonumber(redis.call('HGET', KEYS[1], ARGV[i + 3])) or 0
  if units > 0 then
    redis.call('ZREM', KEYS[#KEYS], ARGV[3] .. ' ' .. ARGV[i + 3] .. ' ' .. units .. ' ' .. ARGV[1])
  end
  -- A product without state (flushed) is rebuilt from PostgreSQL: nothing to give back.
  if units > 0 and redis.call('EXISTS', KEYS[2 * i]) == 1 then
    if ARGV[i + 3] ~= ARGV[2] then
      redis.call('HINCRBY', KEYS[2 * i], 'left', units)
      given = given + units
    end
    local held = tonumber(redis.call('HGET', KEYS[2 * i + 1], ARGV[1]))
    if held ~= nil then
      if held - units > 0 then
        redis.call('HSET', KEYS[2 * i + 1], ARGV[1], held - units)
      else
        redis.call('HDEL', KEYS[2 * i + 1], ARGV[1])
      end
    end
  end
end
redis.call('DEL', KEYS[1])
return given
