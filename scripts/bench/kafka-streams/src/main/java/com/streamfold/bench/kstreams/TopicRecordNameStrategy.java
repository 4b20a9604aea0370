package com.streamfold.bench.kstreams;

import io.apicurio.registry.serde.strategy.ArtifactReference;
import io.apicurio.registry.serde.strategy.ArtifactResolverStrategy;
import org.apache.avro.Schema;

/**
 * The project's subject naming (TopicRecordNameStrategy: `<topic>-<record
 * full name>`, in the registry's default group, where its Confluent API puts
 * subjects), so the peer's output schema sits where the TypeScript services
 * would register it. Apicurio's own TopicRecordIdStrategy would use the
 * namespace as the group and the short name.
 */
public final class TopicRecordNameStrategy implements ArtifactResolverStrategy<Schema> {
    @Override
    public ArtifactReference artifactReference(String topic, boolean isKey, Schema schema) {
        if (schema == null || schema.getType() != Schema.Type.RECORD) {
            throw new IllegalStateException("topic " + topic + ": only Avro records are written");
        }
        return ArtifactReference.builder().groupId("default").artifactId(topic + "-" + schema.getFullName()).build();
    }
}
