/**
 * Would the registry accept a new schema for a subject? Answered locally
 * with avsc, the same resolver decoding uses, so the answer can name the
 * version, the direction and the field that breaks (the registry's own
 * compatibility endpoint only says true or false).
 */
import { Type } from 'avsc';
import { checkReadable } from '../../schemas/compatibility';
import { CompatibilityLevel, compatibilityRule } from './compatibility-level';

export interface RegisteredType {
  readonly version: number;
  readonly type: Type;
}

export interface Incompatibility {
  readonly version: number;
  /** backward: the new schema cannot read data written with `version`; forward: readers on `version` cannot read the new schema's data. */
  readonly direction: 'backward' | 'forward';
  /** Field path and reason, from checkReadable. */
  readonly reason: string;
}

/** Every way `next` breaks `level` against the registered versions (oldest first). */
export function findIncompatibilities(level: CompatibilityLevel, next: Type, registered: readonly RegisteredType[]): Incompatibility[] {
  const rule = compatibilityRule(level);
  const against = rule.transitive ? registered : registered.slice(-1);
  const found: Incompatibility[] = [];
  for (const { version, type } of against) {
    if (rule.backward) {
      const reason = checkReadable(next, type);
      if (reason !== null) found.push({ version, direction: 'backward', reason });
    }
    if (rule.forward) {
      const reason = checkReadable(type, next);
      if (reason !== null) found.push({ version, direction: 'forward', reason });
    }
  }
  return found;
}

export function describeIncompatibility({ version, direction, reason }: Incompatibility): string {
  const what =
    direction === 'backward'
      ? `the new schema cannot read data written with version ${version}`
      : `consumers still on version ${version} cannot read data written with the new schema`;
  return `${what}: ${reason}`;
}
