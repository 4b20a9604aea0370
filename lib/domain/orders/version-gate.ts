/**
 * Version gating, the rule that makes a fold idempotent: aggregateVersion
 * counts 1, 2, 3… per aggregate and topic, so an incoming version is either
 * the next one, one already folded in, or ahead of a missing event.
 */
export type VersionCheck = 'next' | 'duplicate' | 'gap';

/** `current` is the last version folded in (0 before any). */
export function checkVersion(current: number, incoming: number): VersionCheck {
  if (incoming <= current) return 'duplicate';
  return incoming === current + 1 ? 'next' : 'gap';
}
