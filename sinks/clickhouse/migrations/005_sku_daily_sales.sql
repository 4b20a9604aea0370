-- sku_daily_sales: daily sales by SKU, kept by a materialized view on
-- order_state. A sale is a line of a delivered order, counted on the UTC day
-- of delivery: units and units × unit price, per sku and currency.
--
-- Why not a SummingMergeTree keyed by (day, sku)? The view sees every row
-- inserted into order_state, and the same DELIVERED state arrives more than
-- once: a replay of orders.state, a redelivered batch, and every later
-- state of the order (a refund after delivery raises payment_version but
-- the order stays DELIVERED). Summing those rows would count a sale once per
-- arrival. ClickHouse 18.16 cannot drop repeated inserts for a plain
-- MergeTree (no insert deduplication outside replicated tables, no
-- insert_deduplication_token) and has no idempotent keyed-sum state
-- (maxMap came later), so an exact rollup has to keep the deduplication key
-- in its grain: one row per (day, sku, currency, order_id) in a
-- ReplacingMergeTree, and the documented query sums over it with FINAL.
-- Repeats then collapse onto one row, and what a repeat carries is always
-- the same: a delivered order's lines and delivery time never change (lines
-- freeze at confirmation, and DELIVERED is terminal). The table stays much
-- smaller than order_state (one row per delivered line, not per state
-- version) and holds only columns the query needs.
--
-- The partition (month of day) and the sorting key are both built from
-- values all repeats share, as ReplacingMergeTree needs.
CREATE TABLE IF NOT EXISTS {{database}}.sku_daily_sales
(
    day           Date,
    sku           String,
    currency      String,
    order_id      String,
    units         UInt32,
    revenue_cents Int64,
    state_version UInt64
)
ENGINE = ReplacingMergeTree(state_version)
PARTITION BY toYYYYMM(day)
ORDER BY (day, sku, currency, order_id);

-- TO an explicit table rather than an inner one, so the table can be read,
-- backfilled and dropped on its own. Every name is database-qualified: a
-- view resolves unqualified names when it is created, and being explicit
-- keeps that independent of the session's current database.
CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.sku_daily_sales_mv
TO {{database}}.sku_daily_sales
AS SELECT
    toDate(assumeNotNull(delivered_at)) AS day,
    sku,
    currency,
    order_id,
    quantity AS units,
    quantity * unit_price_cents AS revenue_cents,
    state_version
FROM {{database}}.order_state
ARRAY JOIN
    item_skus AS sku,
    item_quantities AS quantity,
    item_unit_price_cents AS unit_price_cents
WHERE status = 'DELIVERED';

-- Backfill what order_state held before the view existed (nothing on a new
-- database). Safe to run again, and safe to overlap with rows the view wrote
-- meanwhile: repeats collapse, as above.
INSERT INTO {{database}}.sku_daily_sales
SELECT
    toDate(assumeNotNull(delivered_at)) AS day,
    sku,
    currency,
    order_id,
    quantity AS units,
    quantity * unit_price_cents AS revenue_cents,
    state_version
FROM {{database}}.order_state
ARRAY JOIN
    item_skus AS sku,
    item_quantities AS quantity,
    item_unit_price_cents AS unit_price_cents
WHERE status = 'DELIVERED';
