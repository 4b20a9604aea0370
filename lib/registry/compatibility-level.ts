/**
 * Registry compatibility levels and what each one means for a new schema,
 * stated in terms of avsc readability (reader ← writer) so `check` can
 * predict what the registry will say before anything is registered.
 */

export const COMPATIBILITY_LEVELS = ['BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE', 'NONE'] as const;

export type CompatibilityLevel = (typeof COMPATIBILITY_LEVELS)[number];

/**
 * The level of a subject whose topic names none in schemas/catalog.ts (the
 * derived topics): topics keep old records and consumers replay from the
 * start, so a new reader schema must read every version ever written
 * (DESIGN.md, "Schema evolution"). The event topics ask for FULL_TRANSITIVE
 * in the catalog: their consumers also lag behind producers, so old readers
 * must read new events as well.
 */
export const DEFAULT_COMPATIBILITY: CompatibilityLevel = 'BACKWARD_TRANSITIVE';

export function isCompatibilityLevel(value: unknown): value is CompatibilityLevel {
  return typeof value === 'string' && (COMPATIBILITY_LEVELS as readonly string[]).includes(value);
}

/** Which directions a level checks, and against which registered versions. */
export interface CompatibilityRule {
  /** The new schema must read data written with the old ones. */
  readonly backward: boolean;
  /** The old schemas must read data written with the new one. */
  readonly forward: boolean;
  /** Every registered version, or only the latest. */
  readonly transitive: boolean;
}

export function compatibilityRule(level: CompatibilityLevel): CompatibilityRule {
  return {
    backward: level.startsWith('BACKWARD') || level.startsWith('FULL'),
    forward: level.startsWith('FORWARD') || level.startsWith('FULL'),
    transitive: level.endsWith('_TRANSITIVE'),
  };
}
