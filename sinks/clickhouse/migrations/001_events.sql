-- events: every orders.events and payments.events event as one immutable row,
-- the audit trail that temporal SQL ("what did order X look like at t?") reads.
--
-- Replay safety. The sink is at-least-once: a redelivered batch or a replay
-- from the earliest offset inserts the same events again, and a producer
-- retry can even put one event at two offsets. The deduplication key is
-- event_id, so the engine is ReplacingMergeTree with event_id in the sorting
-- key: background merges keep one row per (aggregate_id, event_id). Merges run
-- whenever ClickHouse likes, so until then duplicates are visible, and the
-- rule for every query on this table is: read it with FINAL (or aggregate in
-- a way a duplicate cannot change: max/argMax/uniqExact(event_id)). Never
-- combine FINAL with PREWHERE: PREWHERE filters before rows are deduplicated.
--
-- Sorting key (aggregate_id, event_id): one order's events (both topics are
-- keyed by orderId) are adjacent, so an audit trail or a point-in-time query
-- for one order reads one key range, and the key holds only columns a
-- duplicate shares (never the Kafka offset, which differs for a producer
-- retry). The partition is a function of occurred_at, which duplicates share
-- too: ReplacingMergeTree only deduplicates within a partition.
--
-- Time: ClickHouse 18.16 has no DateTime64, so event time is a pair,
-- occurred_at DateTime('UTC') (seconds; date functions and partitions work on
-- it) and occurred_ms UInt16 (the milliseconds, 0-999). Exact epoch millis:
-- toUInt64(occurred_at) * 1000 + occurred_ms. The explicit 'UTC' makes
-- toDate() and the text form independent of the server's time zone.
--
-- Empty strings, not NULL, mark what an event does not carry: causation_id
-- for an event caused from outside, customer_id/currency for events without
-- them (amount_cents is then 0). payload is the decoded Avro record as JSON
-- (timestamps as ISO-8601 strings), for the fields without a column.
CREATE TABLE IF NOT EXISTS {{database}}.events
(
    event_id          String,
    topic             String,
    event_type        String,
    aggregate_id      String,
    aggregate_version UInt32,
    occurred_at       DateTime('UTC'),
    occurred_ms       UInt16,
    correlation_id    String,
    causation_id      String,
    producer          String,
    customer_id       String,
    amount_cents      Int64,
    currency          String,
    payload           String,
    kafka_partition   UInt32,
    kafka_offset      UInt64
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (aggregate_id, event_id);
