/**
 * Topic-level configuration: what a topic's settings are and where each
 * comes from (set on the topic, or inherited from the broker), and setting
 * some of them with IncrementalAlterConfigs, which leaves every other
 * override of the topic as it is.
 */
import { ConfigResourceTypes, ConfigSources, IncrementalAlterConfigOperationTypes, type Admin } from '@platformatic/kafka';

/** Where a setting's value comes from. */
export type ConfigOrigin = 'topic' | 'broker setting' | 'cluster default' | 'server.properties' | 'Kafka default' | 'inherited';

export interface TopicConfigEntry {
  readonly name: string;
  /** null when the broker does not reveal it (a sensitive setting) */
  readonly value: string | null;
  readonly origin: ConfigOrigin;
}

const ORIGINS: Readonly<Record<number, ConfigOrigin>> = {
  [ConfigSources.DYNAMIC_TOPIC_CONFIG]: 'topic',
  [ConfigSources.DYNAMIC_BROKER_CONFIG]: 'broker setting',
  [ConfigSources.DYNAMIC_DEFAULT_BROKER_CONFIG]: 'cluster default',
  [ConfigSources.STATIC_BROKER_CONFIG]: 'server.properties',
  [ConfigSources.DEFAULT_CONFIG]: 'Kafka default',
};

/** The topics' settings (only `names` when given), by topic. */
export async function describeTopicConfigs(admin: Admin, topics: readonly string[], names?: readonly string[]): Promise<Map<string, TopicConfigEntry[]>> {
  if (topics.length === 0) return new Map();
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((resourceName) => ({
      resourceType: ConfigResourceTypes.TOPIC,
      resourceName,
      ...(names === undefined ? {} : { configurationKeys: [...names] }),
    })),
  });
  return new Map(
    described.map((resource) => [
      resource.resourceName,
      resource.configs.map((c) => ({ name: c.name, value: c.value ?? null, origin: ORIGINS[c.configSource] ?? 'inherited' })),
    ]),
  );
}

/** Sets the given settings on the topic; its other overrides stay. */
export async function setTopicConfigs(admin: Admin, topic: string, settings: Readonly<Record<string, string>>): Promise<void> {
  await admin.incrementalAlterConfigs({
    resources: [
      {
        resourceType: ConfigResourceTypes.TOPIC,
        resourceName: topic,
        configs: Object.entries(settings).map(([name, value]) => ({ name, value, configOperation: IncrementalAlterConfigOperationTypes.SET })),
      },
    ],
  });
}
