-- customer_order_stats: per-customer order stats kept by a materialized view
-- on order_state, in an AggregatingMergeTree: how many orders a customer
-- placed, how many were cancelled and delivered, first and last order time.
--
-- Replay safety comes from the aggregate functions themselves: every state
-- kept here is idempotent, so merging the same input twice gives the same
-- result, and a replayed or repeated order_state row changes nothing.
--   orders            uniqExact(order_id): a set of order ids, exact.
--   cancelled_orders  uniqExactIf(order_id, status = 'CANCELLED'): CANCELLED
--   delivered_orders  and DELIVERED are terminal, so an order that was ever
--                     seen in one of them is in it for good.
--   first_order_at    min / max of placed_at, which never changes for an
--   last_order_at     order.
-- Sums of money are deliberately absent: a sum state counts a repeated row
-- again (see 005_sku_daily_sales.sql); per-customer amounts come from
-- order_state FINAL at query time.
--
-- Read with the -Merge combinators grouped by customer_id (parts are merged
-- in the background, so one customer may have several rows until then).
CREATE TABLE IF NOT EXISTS {{database}}.customer_order_stats
(
    customer_id      String,
    orders           AggregateFunction(uniqExact, String),
    cancelled_orders AggregateFunction(uniqExactIf, String, UInt8),
    delivered_orders AggregateFunction(uniqExactIf, String, UInt8),
    first_order_at   AggregateFunction(min, DateTime('UTC')),
    last_order_at    AggregateFunction(max, DateTime('UTC'))
)
ENGINE = AggregatingMergeTree()
ORDER BY customer_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.customer_order_stats_mv
TO {{database}}.customer_order_stats
AS SELECT
    customer_id,
    uniqExactState(order_id) AS orders,
    uniqExactIfState(order_id, status = 'CANCELLED') AS cancelled_orders,
    uniqExactIfState(order_id, status = 'DELIVERED') AS delivered_orders,
    minState(placed_at) AS first_order_at,
    maxState(placed_at) AS last_order_at
FROM {{database}}.order_state
GROUP BY customer_id;

-- Backfill what order_state held before the view existed; idempotent states
-- make a rerun or an overlap with the view harmless.
INSERT INTO {{database}}.customer_order_stats
SELECT
    customer_id,
    uniqExactState(order_id) AS orders,
    uniqExactIfState(order_id, status = 'CANCELLED') AS cancelled_orders,
    uniqExactIfState(order_id, status = 'DELIVERED') AS delivered_orders,
    minState(placed_at) AS first_order_at,
    maxState(placed_at) AS last_order_at
FROM {{database}}.order_state
GROUP BY customer_id;
