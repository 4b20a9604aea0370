package com.streamfold.bench.kstreams;

import com.streamfold.bench.kstreams.avro.OrderAggregate;
import com.streamfold.derived.OrderState;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.apicurio.registry.serde.avro.AvroSerdeConfig;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

/**
 * The Kafka Streams peer of the order aggregator: runs until SIGTERM, then
 * closes cleanly and prints one line of JSON on stdout with what the fold did
 * (`{"kafkaStreams":"4.4.0","applied":…,"duplicates":…,"parked":…,"rejected":{…}}`).
 * Exits 1 if a stream thread died. `--version` prints the Kafka Streams and JVM versions.
 */
public final class OrderFoldApp {
    private OrderFoldApp() {}

    static Properties streamsProperties(PeerConfig config) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.commitIntervalMs());
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, config.cacheMaxBytes());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.threads());
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir());
        // an undecodable record is logged and skipped (the aggregator dead-letters it)
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        return props;
    }

    /** Apicurio's serde settings: its default wire format is Confluent's (magic byte, 4-byte content id). */
    static Map<String, Object> registryConfig(PeerConfig config) {
        Map<String, Object> registry = new HashMap<>();
        registry.put(AvroSerdeConfig.REGISTRY_URL, config.registryUrl());
        registry.put(AvroSerdeConfig.USE_SPECIFIC_AVRO_READER, true);
        registry.put(AvroSerdeConfig.ARTIFACT_RESOLVER_STRATEGY, TopicRecordNameStrategy.class.getName());
        registry.put(AvroSerdeConfig.AUTO_REGISTER_ARTIFACT, true);
        // one self-contained schema, as the project registers them: by default Apicurio registers each
        // nested record and enum as an artifact of its own, referenced, which Confluent-API readers
        // (the project's decoder) cannot resolve
        registry.put(AvroSerdeConfig.DEREFERENCE_SCHEMA, true);
        return registry;
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length == 1 && args[0].equals("--version")) {
            // what the benchmark reports beside its figures
            System.out.println("{\"kafkaStreams\":\"" + kafkaStreamsVersion() + "\",\"java\":\"" + System.getProperty("java.version")
                    + "\",\"jvm\":\"" + System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version") + "\"}");
            return;
        }
        PeerConfig config;
        try {
            config = PeerConfig.parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Map<String, Object> registry = registryConfig(config);
        AvroKafkaDeserializer<SpecificRecord> eventDeserializer = new AvroKafkaDeserializer<>();
        eventDeserializer.configure(registry, false);
        AvroKafkaSerializer<SpecificRecord> eventSerializer = new AvroKafkaSerializer<>();
        eventSerializer.configure(registry, false);
        AvroKafkaSerializer<OrderState> stateSerializer = new AvroKafkaSerializer<>();
        stateSerializer.configure(registry, false);
        AvroKafkaDeserializer<OrderState> stateDeserializer = new AvroKafkaDeserializer<>();
        stateDeserializer.configure(registry, false);
        Serde<SpecificRecord> events = Serdes.serdeFrom(eventSerializer, eventDeserializer);
        Serde<OrderState> states = Serdes.serdeFrom(stateSerializer, stateDeserializer);
        Serde<OrderAggregate> aggregates = AvroBinarySerde.of(OrderAggregate.class, OrderAggregate.getClassSchema());

        FoldCounters counters = new FoldCounters();
        Topology topology = new OrderTopology(counters).build(config, events, states, aggregates);
        KafkaStreams streams = new KafkaStreams(topology, streamsProperties(config));

        CountDownLatch stopped = new CountDownLatch(1);
        boolean[] failed = {false};
        streams.setUncaughtExceptionHandler(error -> {
            System.err.println("[kafka-streams-peer] stream thread failed: " + error);
            failed[0] = true;
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) stopped.countDown();
        });
        Thread closer = new Thread(() -> {
            streams.close(Duration.ofSeconds(30));
            stopped.countDown();
        }, "peer-shutdown");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            closer.start();
            try {
                closer.join();
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            System.out.println("{\"kafkaStreams\":\"" + kafkaStreamsVersion() + "\"," + counters.toJson().substring(1));
            System.out.flush();
        }, "peer-summary"));

        System.err.println("[kafka-streams-peer] " + config.applicationId() + ": " + config.store() + " store, commit every "
                + config.commitIntervalMs() + " ms, cache " + config.cacheMaxBytes() + " bytes, " + config.threads() + " thread(s)\n"
                + topology.describe());
        streams.start();
        stopped.await();
        if (failed[0]) {
            streams.close(Duration.ofSeconds(10));
            System.exit(1);
        }
    }

    /** From the properties file the kafka-streams jar carries (its manifest has no version). */
    static String kafkaStreamsVersion() {
        try (InputStream in = KafkaStreams.class.getResourceAsStream("/kafka/kafka-streams-version.properties")) {
            Properties props = new Properties();
            if (in != null) props.load(in);
            return props.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
