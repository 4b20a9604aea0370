/** Compatibility levels of the catalog's subjects (schemas/catalog.ts). */
import { DEFAULT_COMPATIBILITY } from '../../../lib/registry/compatibility-level';
import { catalogRecordSet, recordSchema } from '../../../lib/registry/record-set';
import { TOPIC } from '../../../lib/topics';
import { TOPIC_SCHEMAS } from '../../../schemas/catalog';

describe('compatibility levels', () => {
  const records = catalogRecordSet(undefined, { topicPrefix: 'p-' }).records;

  it('the domain event topics are FULL_TRANSITIVE: old readers must read new events', () => {
    for (const topic of [TOPIC.orderEvents, TOPIC.paymentEvents, TOPIC.customers]) {
      const ofTopic = records.filter((r) => r.topic === topic);
      expect(ofTopic.length).toBeGreaterThan(0);
      expect(new Set(ofTopic.map((r) => r.compatibility))).toEqual(new Set(['FULL_TRANSITIVE']));
    }
  });

  it('derived topics keep the default, BACKWARD_TRANSITIVE', () => {
    expect(DEFAULT_COMPATIBILITY).toBe('BACKWARD_TRANSITIVE');
    const derived = records.filter((r) => TOPIC_SCHEMAS[r.topic as keyof typeof TOPIC_SCHEMAS].kind === 'derived');
    expect(derived.map((r) => r.topic)).toEqual(expect.arrayContaining([TOPIC.orderState, TOPIC.fraudAlerts]));
    expect(new Set(derived.map((r) => r.compatibility))).toEqual(new Set(['BACKWARD_TRANSITIVE']));
  });

  it('an inline record takes the level it is given, the default otherwise', () => {
    const schema = { type: 'record', name: 'A', namespace: 'com.x', fields: [{ name: 'id', type: 'string' }] };
    expect(recordSchema('t', schema).compatibility).toBe('BACKWARD_TRANSITIVE');
    expect(recordSchema('t', schema, { compatibility: 'FULL_TRANSITIVE' }).compatibility).toBe('FULL_TRANSITIVE');
  });
});
