package com.streamfold.bench.kstreams;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the fold did, for the summary the app prints when it stops. The
 * aggregator dead-letters rejected events; a KTable aggregator cannot emit
 * anything but the new aggregate, so the peer counts and drops them. Records
 * processed again after an aborted transaction are counted again.
 */
final class FoldCounters {
    final LongAdder applied = new LongAdder();
    final LongAdder duplicates = new LongAdder();
    final LongAdder parked = new LongAdder();
    private final Map<String, LongAdder> rejected = new ConcurrentHashMap<>();

    void reject(String code) {
        rejected.computeIfAbsent(code, c -> new LongAdder()).increment();
    }

    void count(FoldResult result) {
        switch (result.kind()) {
            case APPLIED -> applied.increment();
            case DUPLICATE -> duplicates.increment();
            case REJECTED -> reject(result.rejection());
        }
    }

    /** One JSON object, e.g. {"applied":10,"duplicates":0,"parked":1,"rejected":{"VERSION_GAP":2}}. */
    String toJson() {
        StringBuilder out = new StringBuilder();
        out.append("{\"applied\":").append(applied.sum())
                .append(",\"duplicates\":").append(duplicates.sum())
                .append(",\"parked\":").append(parked.sum())
                .append(",\"rejected\":{");
        String separator = "";
        for (Map.Entry<String, LongAdder> entry : new TreeMap<>(rejected).entrySet()) {
            // codes are upper-case identifiers: nothing to escape
            out.append(separator).append('"').append(entry.getKey()).append("\":").append(entry.getValue().sum());
            separator = ",";
        }
        return out.append("}}").toString();
    }
}
