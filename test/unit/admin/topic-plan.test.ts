import { desiredTopics } from '../../../lib/admin/topic-plan';
import { DEAD_LETTER_RETENTION_MS, TOPICS } from '../../../lib/topics';

describe('desiredTopics', () => {
  const plan = desiredTopics();

  it('declares every topic of lib/topics.ts and a .dlq per input', () => {
    const names = plan.map((t) => t.name);
    for (const spec of TOPICS) {
      expect(names).toContain(spec.name);
      if (spec.hasDeadLetter) expect(names).toContain(`${spec.name}.dlq`);
    }
    expect(names).toHaveLength(TOPICS.length + TOPICS.filter((s) => s.hasDeadLetter).length);
  });

  it('keeps events forever, compacts state, and keeps dead letters for a week', () => {
    const byName = new Map(plan.map((t) => [t.name, t]));
    expect(byName.get('orders.events')?.configs).toEqual({ 'cleanup.policy': 'delete', 'retention.ms': '-1' });
    expect(byName.get('customers')?.configs).toEqual({ 'cleanup.policy': 'compact', 'retention.ms': '-1' });
    expect(byName.get('orders.state.dlq')).toEqual({
      name: 'orders.state.dlq',
      partitions: byName.get('orders.state')?.partitions,
      configs: { 'cleanup.policy': 'delete', 'retention.ms': String(DEAD_LETTER_RETENTION_MS) },
      deadLetterOf: 'orders.state',
    });
  });

  it('prefixes every name, dead-letter topics included', () => {
    const prefixed = desiredTopics(TOPICS, { prefix: 'test-x-' });
    expect(prefixed.map((t) => t.name)).toEqual(plan.map((t) => `test-x-${t.name}`));
    expect(prefixed.find((t) => t.name === 'test-x-customers.dlq')?.deadLetterOf).toBe('test-x-customers');
  });
});
