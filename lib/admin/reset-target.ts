/**
 * Where `scripts/replay reset` moves a consumer group: the earliest or latest
 * offset, the first record at or after a time (Kafka offsets-for-times, on
 * the record timestamps), or explicit offsets per partition. Parsing is pure
 * so a typo fails before anything touches the broker.
 */

export type ResetTarget =
  | { readonly kind: 'earliest' }
  | { readonly kind: 'latest' }
  | { readonly kind: 'timestamp'; readonly ms: number }
  | { readonly kind: 'offsets'; readonly offsets: ReadonlyMap<number, number> };

export class ResetTargetError extends Error {
  override readonly name = 'ResetTargetError';
}

const OFFSETS = /^\d+:\d+(,\d+:\d+)*$/;
// An ISO-8601 instant must carry its zone: a bare local time would silently depend on the machine's TZ.
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/** earliest | latest | <ISO-8601 time with zone> | <epoch ms> | <partition:offset,...> */
export function parseResetTarget(text: string): ResetTarget {
  const value = text.trim();
  if (value === 'earliest' || value === 'latest') return { kind: value };
  if (OFFSETS.test(value)) {
    const offsets = new Map<number, number>();
    for (const pair of value.split(',')) {
      const [partition, offset] = pair.split(':').map(Number) as [number, number];
      if (offsets.has(partition)) throw new ResetTargetError(`partition ${partition} is given twice in ${JSON.stringify(text)}`);
      offsets.set(partition, offset);
    }
    return { kind: 'offsets', offsets };
  }
  if (/^\d+$/.test(value)) return { kind: 'timestamp', ms: Number(value) };
  if (ISO_WITH_ZONE.test(value)) {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return { kind: 'timestamp', ms };
  }
  throw new ResetTargetError(
    `cannot read ${JSON.stringify(text)} as a reset target: use earliest, latest, a time (ISO-8601 with a zone, e.g. 2024-05-01T12:00:00Z, or epoch ms) or partition:offset pairs (e.g. 0:120,3:0)`,
  );
}

export function describeResetTarget(target: ResetTarget): string {
  switch (target.kind) {
    case 'earliest':
    case 'latest':
      return target.kind;
    case 'timestamp':
      return `the first record at or after ${new Date(target.ms).toISOString()}`;
    case 'offsets':
      return [...target.offsets].map(([p, o]) => `${p}:${o}`).join(',');
  }
}

export interface PartitionRange {
  readonly partition: number;
  /** log start offset */
  readonly low: number;
  /** log end offset (next offset to be written) */
  readonly high: number;
}

/**
 * Checks explicit offsets against a topic's partitions: each partition must
 * exist and each offset lie within [low, high] (high: consume only new
 * records). A mistake names the partition and the valid range.
 */
export function checkExplicitOffsets(topic: string, offsets: ReadonlyMap<number, number>, ranges: readonly PartitionRange[]): void {
  for (const [partition, offset] of offsets) {
    const range = ranges.find((r) => r.partition === partition);
    if (range === undefined) {
      throw new ResetTargetError(`${topic} has no partition ${partition} (partitions 0-${ranges.length - 1})`);
    }
    if (offset < range.low || offset > range.high) {
      throw new ResetTargetError(
        `offset ${offset} is outside ${topic}[${partition}], which holds offsets ${range.low} to ${range.high} (the end): pick one in that range`,
      );
    }
  }
}
