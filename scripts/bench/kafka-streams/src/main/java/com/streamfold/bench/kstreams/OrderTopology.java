package com.streamfold.bench.kstreams;

import com.streamfold.bench.kstreams.avro.OrderAggregate;
import com.streamfold.common.Envelope;
import com.streamfold.derived.OrderState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * orders.events and payments.events, both keyed by order id and
 * co-partitioned, cogrouped into one KTable aggregate per order (no
 * repartition: the keys are not changed), whose changes go to the output
 * topic as OrderState.
 *
 * The aggregate is the order's state plus the payments that arrived before
 * its OrderPlaced, the aggregator's processor.ts logic: a payment for an
 * order not placed yet is parked (once per eventId, at most
 * MAX_PENDING_PAYMENTS, the oldest dropped beyond), and folded in version
 * order when the order is placed.
 */
final class OrderTopology {
    static final String STORE = "order-state";
    /** processor.ts MAX_PENDING_PAYMENTS */
    static final int MAX_PENDING_PAYMENTS = 100;

    private final FoldCounters counters;

    OrderTopology(FoldCounters counters) {
        this.counters = counters;
    }

    static KeyValueBytesStoreSupplier storeSupplier(String type) {
        return switch (type) {
            case "memory" -> Stores.inMemoryKeyValueStore(STORE);
            // what the DSL picks by default: RocksDB with timestamps
            case "rocksdb" -> Stores.persistentTimestampedKeyValueStore(STORE);
            default -> throw new IllegalArgumentException("store must be memory or rocksdb, got " + type);
        };
    }

    Topology build(PeerConfig config, Serde<SpecificRecord> events, Serde<OrderState> states, Serde<OrderAggregate> aggregates) {
        StreamsBuilder builder = new StreamsBuilder();
        Consumed<String, SpecificRecord> consumed = Consumed.with(Serdes.String(), events);
        Grouped<String, SpecificRecord> grouped = Grouped.with(Serdes.String(), events);
        KGroupedStream<String, SpecificRecord> orders = builder.stream(config.ordersTopic(), consumed).groupByKey(grouped);
        KGroupedStream<String, SpecificRecord> payments = builder.stream(config.paymentsTopic(), consumed).groupByKey(grouped);

        Materialized<String, OrderAggregate, KeyValueStore<Bytes, byte[]>> store =
                Materialized.<String, OrderAggregate>as(storeSupplier(config.store()))
                        .withKeySerde(Serdes.String())
                        .withValueSerde(aggregates)
                        .withCachingEnabled();

        orders.cogroup(this::onOrderEvent)
                .cogroup(payments, this::onPaymentEvent)
                .aggregate(OrderTopology::empty, Named.as("order-fold"), store)
                .toStream(Named.as("order-changes"))
                // an aggregate with parked payments only has no OrderState yet
                .filter((orderId, aggregate) -> aggregate.getState() != null, Named.as("placed-orders"))
                .mapValues(OrderAggregate::getState, Named.as("order-state"))
                .to(config.outputTopic(), Produced.with(Serdes.String(), states));
        return builder.build();
    }

    static OrderAggregate empty() {
        return OrderAggregate.newBuilder().setState(null).setParked(new ArrayList<>()).build();
    }

    /**
     * Whether the event belongs on its topic and to its key: a record of the
     * other topic's types is what the aggregator's decoder refuses as an
     * unknown record, and the key must be the event's aggregateId
     * (processor.ts KEY_MISMATCH).
     */
    private boolean accepts(String orderId, SpecificRecord event, boolean paymentsTopic) {
        Envelope envelope = OrderFold.envelopeOf(event);
        if (envelope == null || OrderFold.isPaymentEvent(event) != paymentsTopic) {
            counters.reject("UNKNOWN_RECORD");
            return false;
        }
        if (orderId.equals(envelope.getAggregateId())) return true;
        counters.reject("KEY_MISMATCH");
        return false;
    }

    OrderAggregate onOrderEvent(String orderId, SpecificRecord event, OrderAggregate aggregate) {
        if (!accepts(orderId, event, false)) return aggregate;
        OrderState before = aggregate.getState();
        FoldResult result = OrderFold.applyOrder(before, event);
        counters.count(result);
        if (result.kind() != FoldResult.Kind.APPLIED) return aggregate;
        aggregate.setState(before == null ? drainParked(aggregate, result.state()) : result.state());
        return aggregate;
    }

    OrderAggregate onPaymentEvent(String orderId, SpecificRecord event, OrderAggregate aggregate) {
        if (!accepts(orderId, event, true)) return aggregate;
        if (aggregate.getState() == null) return park(aggregate, event, OrderFold.envelopeOf(event));
        FoldResult result = OrderFold.applyPayment(aggregate.getState(), event);
        counters.count(result);
        if (result.kind() == FoldResult.Kind.APPLIED) aggregate.setState(result.state());
        return aggregate;
    }

    private OrderAggregate park(OrderAggregate aggregate, SpecificRecord payment, Envelope envelope) {
        List<Object> parked = aggregate.getParked();
        for (Object earlier : parked) {
            if (OrderFold.envelopeOf((SpecificRecord) earlier).getEventId().equals(envelope.getEventId())) return aggregate; // redelivered
        }
        List<Object> next = new ArrayList<>(parked);
        next.add(payment);
        if (next.size() > MAX_PENDING_PAYMENTS) {
            next.remove(0);
            counters.reject("TOO_MANY_PENDING_PAYMENTS");
        }
        counters.parked.increment();
        aggregate.setParked(next);
        return aggregate;
    }

    /** Folds the payments parked for a just-placed order, in their version order. */
    private OrderState drainParked(OrderAggregate aggregate, OrderState placed) {
        List<Object> parked = aggregate.getParked();
        if (parked.isEmpty()) return placed;
        List<SpecificRecord> ordered = new ArrayList<>(parked.size());
        for (Object payment : parked) ordered.add((SpecificRecord) payment);
        ordered.sort(Comparator.comparingLong(p -> OrderFold.envelopeOf(p).getAggregateVersion()));
        aggregate.setParked(new ArrayList<>());
        OrderState state = placed;
        for (SpecificRecord payment : ordered) {
            FoldResult result = OrderFold.applyPayment(state, payment);
            counters.count(result);
            state = result.state();
        }
        return state;
    }
}
