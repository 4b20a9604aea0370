-- Records FraudAlerts among their customers' most recent ones, deduplicated
-- by alertId (deterministic, so a replayed alert has the same id). Ordered
-- by event time (detectedAt), not arrival, so the kept set is the same
-- whatever order alerts are delivered or replayed in; only the newest
-- ARGV[1] per customer stay. Many alerts per call.
--
-- KEYS[2i-1]  alert i's customer's sorted set alertId → detectedAt   KEYS[2i]  hash alertId → alert JSON
-- ARGV[1]  how many alerts to keep per customer
-- ARGV[2]  JSON array; alert i is [alertId, detectedAt epoch ms (string), alert JSON]
-- Returns one reply per alert: 1 new, 0 already there (or older than every kept one), or the error
-- Redis raised for it (e.g. WRONGTYPE); the others still apply.
local keep = tonumber(ARGV[1])
local alerts = cjson.decode(ARGV[2])

local function add(i, a)
  local ids, data = KEYS[2 * i - 1], KEYS[2 * i]
  local added = redis.call('ZADD', ids, a[2], a[1])
  redis.call('HSET', data, a[1], a[3])
  local count = redis.call('ZCARD', ids)
  if count > keep then
    local dropped = redis.call('ZRANGE', ids, 0, count - keep - 1)
    redis.call('ZREMRANGEBYRANK', ids, 0, count - keep - 1)
    redis.call('HDEL', data, unpack(dropped))
    for _, id in ipairs(dropped) do
      if id == a[1] then return 0 end
    end
  end
  return added
end

local results = {}
for i, a in ipairs(alerts) do
  local ok, result = pcall(add, i, a)
  if ok then
    results[i] = result
  else
    results[i] = type(result) == 'table' and result.err or tostring(result)
  end
end
return results
