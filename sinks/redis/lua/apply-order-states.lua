-- Applies OrderStates to their order hashes, each only when it is newer
-- than the stored one: (version, paymentVersion) compared in that order, as
-- OrderState.avsc prescribes. A duplicate or stale state changes nothing,
-- so replays and redeliveries never move an order backwards. Many orders per
-- call, their values packed as JSON with the field names sent once: per-call
-- and per-argument costs are what bound a sink at tens of thousands of
-- records a second, not the writes themselves.
--
-- KEYS[2i-1]  order i's hash               KEYS[2i]  its customer's order index (sorted set)
-- ARGV[1], ARGV[2]  prefix and suffix of a customer index key (to unindex an order whose customer changed)
-- ARGV[3]  JSON array of the hash's field names
-- ARGV[4]  JSON array; order i is [version, paymentVersion, placedAt epoch ms (string), orderId,
--          customerId, [value of each field, in ARGV[3]'s order; null: the field is absent]]
-- Returns one reply per order: 1 applied, 0 the stored state is as new or newer, or the error
-- Redis raised for that order (e.g. WRONGTYPE: a key the sink did not write); the others still apply.
local names = cjson.decode(ARGV[3])
local orders = cjson.decode(ARGV[4])

local function apply(i, o)
  local hash, index = KEYS[2 * i - 1], KEYS[2 * i]
  local stored = redis.call('HMGET', hash, 'version', 'paymentVersion', 'customerId')
  if stored[1] then
    local storedVersion, storedPaymentVersion = tonumber(stored[1]), tonumber(stored[2]) or 0
    if o[1] < storedVersion or (o[1] == storedVersion and o[2] <= storedPaymentVersion) then
      return 0
    end
    if stored[3] and stored[3] ~= o[5] then
      redis.call('ZREM', ARGV[1] .. stored[3] .. ARGV[2], o[4])
    end
  end
  -- the whole order is written: every field it has, and (over an older state) the ones now null removed
  local set, unset = {}, {}
  local values = o[6]
  for j = 1, #names do
    local value = values[j]
    if value == cjson.null or value == nil then
      unset[#unset + 1] = names[j]
    else
      set[#set + 1] = names[j]
      set[#set + 1] = value
    end
  end
  redis.call('HSET', hash, unpack(set))
  if stored[1] and #unset > 0 then
    redis.call('HDEL', hash, unpack(unset))
  end
  -- unconditional: cheap when the entry is there (nothing changes, nothing is logged), and it repairs a lost one
  redis.call('ZADD', index, o[3], o[4])
  return 1
end

local results = {}
for i, o in ipairs(orders) do
  local ok, result = pcall(apply, i, o)
  if ok then
    results[i] = result
  else
    results[i] = type(result) == 'table' and result.err or tostring(result)
  end
end
return results
