-- order_state: the latest OrderState of every order, from the compacted
-- orders.state topic.
--
-- Replay safety: ReplacingMergeTree(state_version) keyed by order_id keeps,
-- per order, the row with the greatest state_version, whatever order rows
-- arrive in, so a replayed or redelivered older state never wins over a newer
-- one (the version gating the design asks of every projection). Until
-- merges catch up several versions of an order are visible: read the table
-- with FINAL (or argMax(column, state_version) grouped by order_id).
--
-- state_version = version * 1000000 + payment_version. An OrderState carries
-- two counters: version (the last orders.events aggregateVersion folded in)
-- and payment_version (the last payments.events one). Each folded event
-- raises exactly one of them and neither ever falls, so ordering states by
-- (version, payment_version) is ordering them by how much they folded; the
-- single number is that pair in lexicographic order while payment_version
-- stays below 1,000,000 (the sink rejects a state beyond that as bad data).
-- Both counters stay as columns of their own.
--
-- The partition is toYYYYMM(placed_at), which never changes for an order, so
-- every version of an order meets its successors in merges. Timestamps are
-- DateTime('UTC') + milliseconds pairs (see 001_events.sql); the ones an
-- order may not have reached yet are NULL, and their _ms column is then 0.
-- Lines are parallel arrays (item_skus[i], item_quantities[i],
-- item_unit_price_cents[i]), one element per sku.
CREATE TABLE IF NOT EXISTS {{database}}.order_state
(
    order_id                String,
    customer_id             String,
    status                  String,
    item_skus               Array(String),
    item_quantities         Array(UInt32),
    item_unit_price_cents   Array(Int64),
    total_cents             Int64,
    currency                String,
    placed_at               DateTime('UTC'),
    placed_ms               UInt16,
    confirmed_at            Nullable(DateTime('UTC')),
    confirmed_ms            UInt16,
    shipped_at              Nullable(DateTime('UTC')),
    shipped_ms              UInt16,
    delivered_at            Nullable(DateTime('UTC')),
    delivered_ms            UInt16,
    cancelled_at            Nullable(DateTime('UTC')),
    cancelled_ms            UInt16,
    carrier                 String,
    tracking_number         String,
    cancel_reason           String,
    cancelled_by            String,
    payment_status          String,
    amount_authorized_cents Int64,
    amount_captured_cents   Int64,
    amount_refunded_cents   Int64,
    last_event_at           DateTime('UTC'),
    last_event_ms           UInt16,
    last_event_id           String,
    version                 UInt32,
    payment_version         UInt32,
    state_version           UInt64,
    kafka_partition         UInt32,
    kafka_offset            UInt64
)
ENGINE = ReplacingMergeTree(state_version)
PARTITION BY toYYYYMM(placed_at)
ORDER BY order_id;
