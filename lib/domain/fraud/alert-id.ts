/**
 * Deterministic alert ids: a name-based UUID (RFC 4122 version 5, SHA-1)
 * of customerId, rule and windowStart, so replaying the log raises the same
 * alert with the same id and sinks deduplicate on it. Hashing is not I/O.
 */
import { createHash } from 'node:crypto';

/** The project's namespace for alert ids: any fixed UUID; changing it changes every id. */
export const ALERT_ID_NAMESPACE = 'c2b7e5a4-3f61-4d0e-9a8b-5e7f1d2c3b4a';

export function uuidV5(name: string, namespace: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new RangeError(`uuidV5: namespace ${namespace} is not a UUID`);
  const bytes = createHash('sha1').update(ns).update(name, 'utf8').digest().subarray(0, 16);
  bytes.writeUInt8((bytes.readUInt8(6) & 0x0f) | 0x50, 6); // version 5
  bytes.writeUInt8((bytes.readUInt8(8) & 0x3f) | 0x80, 8); // RFC 4122 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function alertId(customerId: string, rule: string, windowStart: number): string {
  // JSON keeps the parts apart whatever characters a customerId holds.
  return uuidV5(JSON.stringify([customerId, rule, windowStart]), ALERT_ID_NAMESPACE);
}
