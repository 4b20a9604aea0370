-- A tombstone on orders.state: deletes the order hash and its entry in the
-- index of the customer the stored order names.
--
-- KEYS[1]  the order hash
-- ARGV[1], ARGV[2]  prefix and suffix of a customer index key   ARGV[3] orderId
-- Returns 1 when an order was deleted, 0 when there was none.
local customerId = redis.call('HGET', KEYS[1], 'customerId')
if customerId then
  redis.call('ZREM', ARGV[1] .. customerId .. ARGV[2], ARGV[3])
end
return redis.call('DEL', KEYS[1])
