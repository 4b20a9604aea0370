-- fraud_alerts: one row per FraudAlert from fraud.alerts.
--
-- Replay safety: alert_id is deterministic (a UUID v5 of customer, rule and
-- window start), so a replay of the log raises the same alert with the same
-- id. ReplacingMergeTree keyed by (customer_id, alert_id) keeps one row per
-- alert; read with FINAL. customer_id leads the key because alerts are read
-- per customer; it is part of the alert id, so duplicates share it. The
-- partition (month of window_start) is also part of the id.
CREATE TABLE IF NOT EXISTS {{database}}.fraud_alerts
(
    alert_id             String,
    customer_id          String,
    rule                 String,
    window_start_at      DateTime('UTC'),
    window_start_ms      UInt16,
    window_end_at        DateTime('UTC'),
    window_end_ms        UInt16,
    observed             Int64,
    threshold            Int64,
    triggering_event_ids Array(String),
    detected_at          DateTime('UTC'),
    detected_ms          UInt16,
    kafka_partition      UInt32,
    kafka_offset         UInt64
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(window_start_at)
ORDER BY (customer_id, alert_id);
