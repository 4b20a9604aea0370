-- Applies FraudCounters snapshots to customers' counters hashes, each only
-- when its version is newer than the stored one (FraudCounters.version
-- counts every change), replacing the whole hash: windows that closed and
-- rules without an open window disappear. Many customers per call.
--
-- KEYS[i]  customer i's counters hash
-- ARGV[1]  JSON array; customer i is [version, [field, value, ...]]
-- Returns one reply per customer: 1 applied, 0 the stored snapshot is as new or newer, or the error
-- Redis raised for that customer (e.g. WRONGTYPE); the others still apply.
local snapshots = cjson.decode(ARGV[1])

local function apply(i, s)
  local stored = redis.call('HGET', KEYS[i], 'version')
  if stored and s[1] <= tonumber(stored) then
    return 0
  end
  redis.call('DEL', KEYS[i])
  redis.call('HSET', KEYS[i], unpack(s[2]))
  return 1
end

local results = {}
for i, s in ipairs(snapshots) do
  local ok, result = pcall(apply, i, s)
  if ok then
    results[i] = result
  else
    results[i] = type(result) == 'table' and result.err or tostring(result)
  end
end
return results
