-- payments: one row per payments.events event, with the payment columns the
-- events table keeps only in its payload (method, card fingerprint and
-- country, decline or refund reason), for payment analytics such as revenue
-- per day.
--
-- Replay safety as for events (001_events.sql): ReplacingMergeTree keyed by
-- (order_id, event_id), partitioned by a function of event time, read with
-- FINAL. customer_id is empty for PaymentCaptured and RefundIssued (the
-- events do not carry it); card columns are empty where the event has none;
-- reason is the decline reason or the refund reason.
CREATE TABLE IF NOT EXISTS {{database}}.payments
(
    event_id          String,
    order_id          String,
    event_type        String,
    payment_version   UInt32,
    occurred_at       DateTime('UTC'),
    occurred_ms       UInt16,
    customer_id       String,
    payment_method_id String,
    card_fingerprint  String,
    card_country      String,
    amount_cents      Int64,
    currency          String,
    reason            String,
    kafka_partition   UInt32,
    kafka_offset      UInt64
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (order_id, event_id);
