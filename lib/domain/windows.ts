/**
 * Event-time window math, pure: which windows an event falls into, and when
 * a window is closed (no longer accepts late events) or expired (purged).
 * Follows Kafka Streams' TimeWindows: windows are [start, start + size),
 * aligned to the epoch, hopping by `advance` (tumbling when advance = size).
 */

export interface WindowSpec {
  readonly sizeMs: number;
  /** Distance between window starts; equal to sizeMs for tumbling windows. */
  readonly advanceMs: number;
  /** How long after a window ends late events are still accepted. */
  readonly graceMs: number;
}

export interface TimeWindow {
  readonly start: number;
  readonly end: number;
}

export function tumblingWindows(sizeMs: number, graceMs = 0): WindowSpec {
  return hoppingWindows(sizeMs, sizeMs, graceMs);
}

export function hoppingWindows(sizeMs: number, advanceMs: number, graceMs = 0): WindowSpec {
  if (!Number.isInteger(sizeMs) || sizeMs <= 0) throw new RangeError(`window size must be a positive integer of ms, got ${sizeMs}`);
  if (!Number.isInteger(advanceMs) || advanceMs <= 0 || advanceMs > sizeMs) {
    throw new RangeError(`window advance must be a positive integer of ms no larger than the size (${sizeMs}), got ${advanceMs}`);
  }
  if (!Number.isInteger(graceMs) || graceMs < 0) throw new RangeError(`grace must be a non-negative integer of ms, got ${graceMs}`);
  return { sizeMs, advanceMs, graceMs };
}

/** Every window containing the timestamp, oldest first. */
export function windowsFor(spec: WindowSpec, timestamp: number): TimeWindow[] {
  const lastStart = timestamp - mod(timestamp, spec.advanceMs);
  const windows: TimeWindow[] = [];
  for (let start = lastStart - Math.floor((spec.sizeMs - 1) / spec.advanceMs) * spec.advanceMs; start <= lastStart; start += spec.advanceMs) {
    if (start + spec.sizeMs > timestamp) windows.push({ start, end: start + spec.sizeMs });
  }
  return windows;
}

/** A window is closed once stream time passed its end plus the grace period: later events for it are late. */
export function isClosed(spec: WindowSpec, window: TimeWindow, streamTime: number): boolean {
  return streamTime >= window.end + spec.graceMs;
}

/**
 * Retention: how long a closed window is kept (for queries and the changelog)
 * before it is purged. At least size + grace, as in Kafka Streams.
 */
export function retentionOf(spec: WindowSpec, retentionMs = spec.sizeMs + spec.graceMs): number {
  return Math.max(retentionMs, spec.sizeMs + spec.graceMs);
}

export function isExpired(window: TimeWindow, streamTime: number, retentionMs: number): boolean {
  return streamTime - retentionMs >= window.start;
}

function mod(value: number, divisor: number): number {
  return ((value % divisor) + divisor) % divisor;
}
