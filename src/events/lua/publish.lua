-- publish: append events to the stream under ids derived from their feed places, once.
-- An entry whose id is at or below the stream's last generated id is skipped: it was
-- published before (a relay that died after publishing and before recording its place
-- sends it again). Nothing is written when the stream is behind what the relay expects
-- (it lost its tail: a flush, a restart from an older file); the relay then refills.
-- KEYS[1]   the stream
-- ARGV[1]   the id the relay expects the stream to have reached (<txid>-<id>; 0-0 for none)
-- ARGV[2i], ARGV[2i+1]   entry id (ascending) and the event's JSON, for i = 1..n
-- Returns {published, skipped, last}: last is the stream's last id before the call; a
-- published of -1 means the stream is behind ARGV[1] and nothing was written.
local function parse(id)
  local a, b = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(a), tonumber(b)
end
local function below(a1, a2, b1, b2)
  return a1 < b1 or (a1 == b1 and a2 < b2)
end

local last = '0-0'
if redis.call('EXISTS', KEYS[1]) == 1 then
  local info = redis.call('XINFO', 'STREAM', KEYS[1])
  for i = 1, #info, 2 do
    if info[i] == 'last-generated-id' then last = info[i + 1] end
  end
end
local l1, l2 = parse(last)
local e1, e2 = parse(ARGV[1])
if below(l1, l2, e1, e2) then return {-1, 0, last} end

local published, skipped = 0, 0
for i = 2, #ARGV, 2 do
  local i1, i2 = parse(ARGV[i])
  if below(l1, l2, i1, i2) then
    redis.call('XADD', KEYS[1], ARGV[i], 'event', ARGV[i + 1])
    l1, l2 = i1, i2
    published = published + 1
  else
    skipped = skipped + 1
  end
end
return {published, skipped, last}
