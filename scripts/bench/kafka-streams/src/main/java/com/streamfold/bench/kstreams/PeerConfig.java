package com.streamfold.bench.kstreams;

import java.util.HashMap;
import java.util.Map;

/**
 * The peer's settings: `--name value` arguments, else the environment
 * variable KS_<NAME> (upper case, '-' as '_'), else the default.
 */
record PeerConfig(
        String bootstrapServers,
        String registryUrl,
        String ordersTopic,
        String paymentsTopic,
        String outputTopic,
        String applicationId,
        String store,
        long commitIntervalMs,
        long cacheMaxBytes,
        int threads,
        String stateDir) {

    static final String USAGE = """
            usage: java -jar streamfold-kafka-streams-peer.jar --orders-topic T --payments-topic T --output-topic T
                   --application-id ID [--store memory|rocksdb] [--bootstrap-servers 127.0.0.1:19092]
                   [--registry-url http://127.0.0.1:18081/apis/registry/v3] [--commit-interval-ms 40]
                   [--cache-max-bytes 10485760] [--threads 1] [--state-dir DIR]
            Every option may also come from KS_<NAME>, e.g. KS_STORE=rocksdb.""";

    static PeerConfig parse(String[] args, Map<String, String> env) {
        Map<String, String> given = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) throw new IllegalArgumentException("bad argument " + args[i] + "\n" + USAGE);
            given.put(args[i].substring(2), args[i + 1]);
        }
        Reader read = new Reader(given, env);
        PeerConfig config = new PeerConfig(
                read.string("bootstrap-servers", "127.0.0.1:19092"),
                read.string("registry-url", "http://127.0.0.1:18081/apis/registry/v3"),
                read.string("orders-topic", null),
                read.string("payments-topic", null),
                read.string("output-topic", null),
                read.string("application-id", null),
                read.string("store", "memory"),
                // the aggregator's PROCESSOR_COMMIT_INTERVAL_MS default (lib/config/config.ts), not Kafka Streams' 100 ms
                Long.parseLong(read.string("commit-interval-ms", "40")),
                // Kafka Streams' default statestore.cache.max.bytes
                Long.parseLong(read.string("cache-max-bytes", String.valueOf(10L * 1024 * 1024))),
                Integer.parseInt(read.string("threads", "1")),
                read.string("state-dir", System.getProperty("java.io.tmpdir") + "/streamfold-kafka-streams"));
        if (!config.store.equals("memory") && !config.store.equals("rocksdb")) {
            throw new IllegalArgumentException("--store must be memory or rocksdb, got " + config.store);
        }
        return config;
    }

    private record Reader(Map<String, String> given, Map<String, String> env) {
        String string(String name, String fallback) {
            String value = given.get(name);
            if (value == null) value = env.get("KS_" + name.toUpperCase().replace('-', '_'));
            if (value == null) value = fallback;
            if (value == null) throw new IllegalArgumentException("--" + name + " is required\n" + USAGE);
            return value;
        }
    }
}
