package com.streamfold.bench.kstreams;

import com.streamfold.common.Envelope;
import com.streamfold.derived.OrderState;
import com.streamfold.derived.OrderStatus;
import com.streamfold.derived.PaymentStatus;
import com.streamfold.orders.OrderCancelled;
import com.streamfold.orders.OrderConfirmed;
import com.streamfold.orders.OrderDelivered;
import com.streamfold.orders.OrderItem;
import com.streamfold.orders.OrderItemAdded;
import com.streamfold.orders.OrderItemRemoved;
import com.streamfold.orders.OrderPlaced;
import com.streamfold.orders.OrderShipped;
import com.streamfold.payments.PaymentAuthorized;
import com.streamfold.payments.PaymentCaptured;
import com.streamfold.payments.PaymentDeclined;
import com.streamfold.payments.RefundIssued;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;

/**
 * The order aggregator's fold (lib/domain/orders/fold.ts,
 * order-events.ts, payment-events.ts, order-lines.ts, transitions.ts,
 * version-gate.ts) in Java, rule for rule and in the same order of checks, so
 * both folds give the same OrderState and reject the same events with the
 * same codes. Only the codes are kept, not the TypeScript fold's messages.
 *
 * The state passed in is a fresh copy (Kafka Streams deserializes it from the
 * store for every record), so an applied event updates it in place; every
 * check runs before the first change, so a rejected or duplicate event leaves
 * it as it was.
 */
final class OrderFold {
    private OrderFold() {}

    /** Number.MAX_SAFE_INTEGER: the TypeScript fold's bound on a positive integer. */
    private static final long MAX_SAFE_INTEGER = 9_007_199_254_740_991L;

    private record Transition<S extends Enum<S>>(Set<S> from, S to) {}

    private static final Transition<OrderStatus> ITEM_CHANGE = new Transition<>(EnumSet.of(OrderStatus.PLACED), OrderStatus.PLACED);
    private static final Transition<OrderStatus> CONFIRM = new Transition<>(EnumSet.of(OrderStatus.PLACED), OrderStatus.CONFIRMED);
    private static final Transition<OrderStatus> SHIP = new Transition<>(EnumSet.of(OrderStatus.CONFIRMED), OrderStatus.SHIPPED);
    private static final Transition<OrderStatus> DELIVER = new Transition<>(EnumSet.of(OrderStatus.SHIPPED), OrderStatus.DELIVERED);
    private static final Transition<OrderStatus> CANCEL =
            new Transition<>(EnumSet.of(OrderStatus.PLACED, OrderStatus.CONFIRMED, OrderStatus.SHIPPED), OrderStatus.CANCELLED);

    private static final Transition<PaymentStatus> AUTHORIZE =
            new Transition<>(EnumSet.of(PaymentStatus.NONE, PaymentStatus.DECLINED), PaymentStatus.AUTHORIZED);
    private static final Transition<PaymentStatus> DECLINE =
            new Transition<>(EnumSet.of(PaymentStatus.NONE, PaymentStatus.DECLINED), PaymentStatus.DECLINED);
    private static final Transition<PaymentStatus> CAPTURE =
            new Transition<>(EnumSet.of(PaymentStatus.AUTHORIZED, PaymentStatus.CAPTURED), PaymentStatus.CAPTURED);
    private static final Transition<PaymentStatus> REFUND =
            new Transition<>(EnumSet.of(PaymentStatus.CAPTURED, PaymentStatus.REFUNDED), PaymentStatus.REFUNDED);

    static boolean isPaymentEvent(SpecificRecord event) {
        return event instanceof PaymentAuthorized || event instanceof PaymentDeclined || event instanceof PaymentCaptured
                || event instanceof RefundIssued;
    }

    /** The envelope of any event of the two topics; null for a record of another type. */
    static Envelope envelopeOf(SpecificRecord event) {
        if (event instanceof OrderPlaced e) return e.getEnvelope();
        if (event instanceof OrderItemAdded e) return e.getEnvelope();
        if (event instanceof OrderItemRemoved e) return e.getEnvelope();
        if (event instanceof OrderConfirmed e) return e.getEnvelope();
        if (event instanceof OrderShipped e) return e.getEnvelope();
        if (event instanceof OrderDelivered e) return e.getEnvelope();
        if (event instanceof OrderCancelled e) return e.getEnvelope();
        if (event instanceof PaymentAuthorized e) return e.getEnvelope();
        if (event instanceof PaymentDeclined e) return e.getEnvelope();
        if (event instanceof PaymentCaptured e) return e.getEnvelope();
        if (event instanceof RefundIssued e) return e.getEnvelope();
        return null;
    }

    /** fold.ts applyEvent: one event of either topic. */
    static FoldResult apply(OrderState state, SpecificRecord event) {
        return isPaymentEvent(event) ? applyPayment(state, event) : applyOrder(state, event);
    }

    // ---- version-gate.ts

    private enum VersionCheck { NEXT, DUPLICATE, GAP }

    private static VersionCheck checkVersion(long current, long incoming) {
        if (incoming <= current) return VersionCheck.DUPLICATE;
        return incoming == current + 1 ? VersionCheck.NEXT : VersionCheck.GAP;
    }

    // ---- event-stamp.ts: the latest event by occurredAt (ties: the greater eventId)

    private static void stamp(OrderState state, Envelope envelope) {
        Instant at = envelope.getOccurredAt();
        int byTime = at.compareTo(state.getLastEventAt());
        if (byTime < 0 || (byTime == 0 && envelope.getEventId().compareTo(state.getLastEventId()) < 0)) return;
        state.setLastEventAt(at);
        state.setLastEventId(envelope.getEventId());
    }

    // ---- order-lines.ts

    private static boolean isPositiveInteger(long n) {
        return n > 0 && n <= MAX_SAFE_INTEGER;
    }

    /** New lines, or null with `code[0]` set when the change is refused. */
    private static List<OrderItem> addLine(List<OrderItem> items, OrderItem item, String[] code) {
        if (!isPositiveInteger(item.getQuantity())) {
            code[0] = "INVALID_QUANTITY";
            return null;
        }
        List<OrderItem> lines = new ArrayList<>(items.size() + 1);
        boolean merged = false;
        for (OrderItem line : items) {
            if (line.getSku().equals(item.getSku())) {
                if (line.getUnitPriceCents() != item.getUnitPriceCents()) {
                    code[0] = "PRICE_CONFLICT";
                    return null;
                }
                lines.add(new OrderItem(line.getSku(), line.getQuantity() + item.getQuantity(), line.getUnitPriceCents()));
                merged = true;
            } else {
                lines.add(line);
            }
        }
        if (!merged) lines.add(new OrderItem(item.getSku(), item.getQuantity(), item.getUnitPriceCents()));
        return lines;
    }

    private static List<OrderItem> linesFrom(List<OrderItem> items, String[] code) {
        List<OrderItem> lines = new ArrayList<>(items.size());
        for (OrderItem item : items) {
            lines = addLine(lines, item, code);
            if (lines == null) return null;
        }
        return lines;
    }

    private static List<OrderItem> removeUnits(List<OrderItem> items, String sku, int quantity, String[] code) {
        if (!isPositiveInteger(quantity)) {
            code[0] = "INVALID_QUANTITY";
            return null;
        }
        int held = 0;
        for (OrderItem line : items) if (line.getSku().equals(sku)) held = line.getQuantity();
        if (quantity > held) {
            code[0] = "INSUFFICIENT_QUANTITY";
            return null;
        }
        List<OrderItem> lines = new ArrayList<>(items.size());
        for (OrderItem line : items) {
            if (!line.getSku().equals(sku)) lines.add(line);
            else if (line.getQuantity() > quantity) lines.add(new OrderItem(sku, line.getQuantity() - quantity, line.getUnitPriceCents()));
        }
        return lines;
    }

    /** lib/domain/order-total.ts */
    private static long totalCents(List<OrderItem> items) {
        long total = 0;
        for (OrderItem item : items) total += item.getQuantity() * item.getUnitPriceCents();
        return total;
    }

    // ---- order-events.ts

    private static FoldResult place(OrderPlaced placed) {
        Envelope envelope = placed.getEnvelope();
        // OrderPlaced is always version 1: a later one means the order's first events are missing
        if (envelope.getAggregateVersion() != 1) return FoldResult.rejected(null, "VERSION_GAP");
        String[] code = new String[1];
        List<OrderItem> lines = linesFrom(placed.getItems(), code);
        if (lines == null) return FoldResult.rejected(null, code[0]);
        long total = totalCents(lines);
        if (total != placed.getTotalCents()) return FoldResult.rejected(null, "TOTAL_MISMATCH");
        OrderState state = OrderState.newBuilder()
                .setOrderId(envelope.getAggregateId())
                .setCustomerId(placed.getCustomerId())
                .setStatus(OrderStatus.PLACED)
                .setItems(lines)
                .setTotalCents(total)
                .setCurrency(placed.getCurrency())
                .setPlacedAt(envelope.getOccurredAt())
                .setPaymentStatus(PaymentStatus.NONE)
                .setAmountAuthorizedCents(0)
                .setAmountCapturedCents(0)
                .setAmountRefundedCents(0)
                .setLastEventAt(envelope.getOccurredAt())
                .setLastEventId(envelope.getEventId())
                .setVersion(1)
                .setPaymentVersion(0)
                .build();
        return FoldResult.applied(state);
    }

    private static Transition<OrderStatus> orderTransition(SpecificRecord event) {
        if (event instanceof OrderItemAdded || event instanceof OrderItemRemoved) return ITEM_CHANGE;
        if (event instanceof OrderConfirmed) return CONFIRM;
        if (event instanceof OrderShipped) return SHIP;
        if (event instanceof OrderDelivered) return DELIVER;
        if (event instanceof OrderCancelled) return CANCEL;
        throw new IllegalArgumentException("not an order change: " + event.getSchema().getFullName());
    }

    static FoldResult applyOrder(OrderState state, SpecificRecord event) {
        Envelope envelope = envelopeOf(event);
        if (state == null) {
            if (event instanceof OrderPlaced placed) return place(placed);
            return FoldResult.rejected(null, "NOT_PLACED");
        }
        if (!envelope.getAggregateId().equals(state.getOrderId())) return FoldResult.rejected(state, "AGGREGATE_MISMATCH");
        long version = envelope.getAggregateVersion();
        VersionCheck check = checkVersion(state.getVersion(), version);
        if (check == VersionCheck.DUPLICATE) return FoldResult.duplicate(state);
        if (check == VersionCheck.GAP) return FoldResult.rejected(state, "VERSION_GAP");
        if (event instanceof OrderPlaced) return FoldResult.rejected(state, "ALREADY_PLACED");
        Transition<OrderStatus> transition = orderTransition(event);
        if (!transition.from().contains(state.getStatus())) return FoldResult.rejected(state, "TRANSITION_FORBIDDEN");

        // the event's own checks, then its changes
        Instant at = envelope.getOccurredAt();
        String[] code = new String[1];
        if (event instanceof OrderItemAdded added) {
            List<OrderItem> lines = addLine(state.getItems(), added.getItem(), code);
            if (lines == null) return FoldResult.rejected(state, code[0]);
            state.setItems(lines);
            state.setTotalCents(totalCents(lines));
        } else if (event instanceof OrderItemRemoved removed) {
            List<OrderItem> lines = removeUnits(state.getItems(), removed.getSku(), removed.getQuantity(), code);
            if (lines == null) return FoldResult.rejected(state, code[0]);
            state.setItems(lines);
            state.setTotalCents(totalCents(lines));
        } else if (event instanceof OrderConfirmed) {
            if (state.getItems().isEmpty()) return FoldResult.rejected(state, "EMPTY_ORDER");
            state.setConfirmedAt(at);
        } else if (event instanceof OrderShipped shipped) {
            state.setShippedAt(at);
            state.setCarrier(shipped.getCarrier());
            state.setTrackingNumber(shipped.getTrackingNumber());
        } else if (event instanceof OrderDelivered) {
            state.setDeliveredAt(at);
        } else if (event instanceof OrderCancelled cancelled) {
            state.setCancelledAt(at);
            state.setCancelReason(cancelled.getReason());
            state.setCancelledBy(cancelled.getCancelledBy());
        }
        state.setStatus(transition.to());
        stamp(state, envelope);
        state.setVersion(version);
        return FoldResult.applied(state);
    }

    // ---- payment-events.ts

    private static long amountOf(SpecificRecord event) {
        if (event instanceof PaymentAuthorized e) return e.getAmountCents();
        if (event instanceof PaymentDeclined e) return e.getAmountCents();
        if (event instanceof PaymentCaptured e) return e.getAmountCents();
        return ((RefundIssued) event).getAmountCents();
    }

    private static String currencyOf(SpecificRecord event) {
        if (event instanceof PaymentAuthorized e) return e.getCurrency();
        if (event instanceof PaymentDeclined e) return e.getCurrency();
        if (event instanceof PaymentCaptured e) return e.getCurrency();
        return ((RefundIssued) event).getCurrency();
    }

    private static Transition<PaymentStatus> paymentTransition(SpecificRecord event) {
        if (event instanceof PaymentAuthorized) return AUTHORIZE;
        if (event instanceof PaymentDeclined) return DECLINE;
        if (event instanceof PaymentCaptured) return CAPTURE;
        return REFUND;
    }

    static FoldResult applyPayment(OrderState state, SpecificRecord event) {
        Envelope envelope = envelopeOf(event);
        // the peer parks these before calling the fold, as the aggregator does
        if (state == null) return FoldResult.rejected(null, "NOT_PLACED");
        if (!envelope.getAggregateId().equals(state.getOrderId())) return FoldResult.rejected(state, "AGGREGATE_MISMATCH");
        long version = envelope.getAggregateVersion();
        VersionCheck check = checkVersion(state.getPaymentVersion(), version);
        if (check == VersionCheck.DUPLICATE) return FoldResult.duplicate(state);
        if (check == VersionCheck.GAP) return FoldResult.rejected(state, "VERSION_GAP");
        Transition<PaymentStatus> transition = paymentTransition(event);
        if (!transition.from().contains(state.getPaymentStatus())) return FoldResult.rejected(state, "PAYMENT_TRANSITION_FORBIDDEN");
        if (!currencyOf(event).equals(state.getCurrency())) return FoldResult.rejected(state, "CURRENCY_MISMATCH");
        long amount = amountOf(event);
        if (!isPositiveInteger(amount)) return FoldResult.rejected(state, "INVALID_AMOUNT");
        if (event instanceof PaymentCaptured && amount > state.getAmountAuthorizedCents() - state.getAmountCapturedCents()) {
            return FoldResult.rejected(state, "CAPTURE_EXCEEDS_AUTHORIZED");
        }
        if (event instanceof RefundIssued && amount > state.getAmountCapturedCents() - state.getAmountRefundedCents()) {
            return FoldResult.rejected(state, "REFUND_EXCEEDS_CAPTURED");
        }
        // a refusal moves no money; the status records it
        if (event instanceof PaymentAuthorized) state.setAmountAuthorizedCents(state.getAmountAuthorizedCents() + amount);
        else if (event instanceof PaymentCaptured) state.setAmountCapturedCents(state.getAmountCapturedCents() + amount);
        else if (event instanceof RefundIssued) state.setAmountRefundedCents(state.getAmountRefundedCents() + amount);
        state.setPaymentStatus(transition.to());
        stamp(state, envelope);
        state.setPaymentVersion(version);
        return FoldResult.applied(state);
    }
}
