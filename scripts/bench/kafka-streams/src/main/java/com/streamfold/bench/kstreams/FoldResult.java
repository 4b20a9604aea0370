package com.streamfold.bench.kstreams;

import com.streamfold.derived.OrderState;

/**
 * What folding one event gives, as lib/domain/orders/fold-result.ts:
 * every variant carries the state to keep (the unchanged input unless applied).
 */
record FoldResult(Kind kind, OrderState state, String rejection) {
    enum Kind { APPLIED, DUPLICATE, REJECTED }

    static FoldResult applied(OrderState state) {
        return new FoldResult(Kind.APPLIED, state, null);
    }

    static FoldResult duplicate(OrderState state) {
        return new FoldResult(Kind.DUPLICATE, state, null);
    }

    /** `code` is one of the aggregator's rejection codes (lib/domain/orders/rejections.ts). */
    static FoldResult rejected(OrderState state, String code) {
        return new FoldResult(Kind.REJECTED, state, code);
    }
}
