package com.streamfold.bench.kstreams;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Plain Avro binary, no registry: for the peer's own store and its internal
 * changelog, which only this application reads back (as the aggregator keeps
 * its parked payments as JSON, without a registry schema).
 */
final class AvroBinarySerde {
    private AvroBinarySerde() {}

    static <T extends SpecificRecord> Serde<T> of(Class<T> type, Schema schema) {
        SpecificDatumWriter<T> writer = new SpecificDatumWriter<>(schema);
        SpecificDatumReader<T> reader = new SpecificDatumReader<>(schema);
        Serializer<T> serializer = new Serializer<>() {
            // one encoder per stream thread, reused: the serializer is called for every record
            private final ThreadLocal<BinaryEncoder> encoders = new ThreadLocal<>();

            @Override
            public byte[] serialize(String topic, T value) {
                if (value == null) return null;
                ByteArrayOutputStream out = new ByteArrayOutputStream(256);
                BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, encoders.get());
                encoders.set(encoder);
                try {
                    writer.write(value, encoder);
                    encoder.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return out.toByteArray();
            }
        };
        Deserializer<T> deserializer = new Deserializer<>() {
            private final ThreadLocal<BinaryDecoder> decoders = new ThreadLocal<>();

            @Override
            public T deserialize(String topic, byte[] data) {
                if (data == null) return null;
                BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(data, decoders.get());
                decoders.set(decoder);
                try {
                    return reader.read(null, decoder);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
        return Serdes.serdeFrom(serializer, deserializer);
    }
}
