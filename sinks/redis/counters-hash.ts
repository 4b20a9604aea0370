/**
 * FraudCounters → the fields of a customer's counters hash: per rule the
 * current value (the open window closest to its threshold, that is the
 * highest value; the oldest on a tie, as it covers the longest history)
 * with that window's bounds, plus every open window as JSON for detail.
 * Rules without an open window have no field.
 */
import type { FraudCounters, FraudWindowCounter } from '../../schemas/generated/types';
import { HashFields, HashFormatError } from './hash-fields';

export const RULE_FIELD_PREFIX = 'rule:';

/** `rule:<name>` holds the value, `rule:<name>:window` the ISO-8601 interval `start/end`. */
export function ruleField(rule: string): string {
  return `${RULE_FIELD_PREFIX}${rule}`;
}

export function ruleWindowField(rule: string): string {
  return `${RULE_FIELD_PREFIX}${rule}:window`;
}

function currentWindows(counters: readonly FraudWindowCounter[]): Map<string, FraudWindowCounter> {
  const current = new Map<string, FraudWindowCounter>();
  for (const counter of counters) {
    const best = current.get(counter.rule);
    const better =
      best === undefined || counter.value > best.value || (counter.value === best.value && counter.windowStart.getTime() < best.windowStart.getTime());
    if (better) current.set(counter.rule, counter);
  }
  return current;
}

export function countersHashFields(counters: FraudCounters): HashFields {
  const fields: HashFields = {
    customerId: counters.customerId,
    version: String(counters.version),
    updatedAt: counters.updatedAt.toISOString(),
    windows: JSON.stringify(
      counters.counters.map((c) => ({
        rule: c.rule,
        windowStart: c.windowStart.toISOString(),
        windowEnd: c.windowEnd.toISOString(),
        value: c.value,
        alerted: c.alerted,
      })),
    ),
  };
  if (counters.lastEventId !== null) fields['lastEventId'] = counters.lastEventId;
  for (const [rule, window] of currentWindows(counters.counters)) {
    fields[ruleField(rule)] = String(window.value);
    fields[ruleWindowField(rule)] = `${window.windowStart.toISOString()}/${window.windowEnd.toISOString()}`;
  }
  return fields;
}

export interface RuleCounterView {
  readonly rule: string;
  readonly value: number;
  readonly windowStart: string;
  readonly windowEnd: string;
}

export interface CountersView {
  readonly customerId: string;
  readonly version: number;
  readonly updatedAt: string;
  readonly lastEventId: string | null;
  /** The current value of each rule that has an open window. */
  readonly rules: readonly RuleCounterView[];
}

export function parseCountersHash(key: string, fields: HashFields): CountersView {
  const get = (name: string): string => {
    const value = fields[name];
    if (value === undefined) throw new HashFormatError(`${key} has no field ${name}; was it written by another program?`);
    return value;
  };
  const rules: RuleCounterView[] = [];
  for (const [name, value] of Object.entries(fields)) {
    if (!name.startsWith(RULE_FIELD_PREFIX) || name.endsWith(':window')) continue;
    const rule = name.slice(RULE_FIELD_PREFIX.length);
    const [windowStart = '', windowEnd = ''] = (fields[ruleWindowField(rule)] ?? '/').split('/');
    rules.push({ rule, value: Number(value), windowStart, windowEnd });
  }
  rules.sort((a, b) => a.rule.localeCompare(b.rule));
  return {
    customerId: get('customerId'),
    version: Number(get('version')),
    updatedAt: get('updatedAt'),
    lastEventId: fields['lastEventId'] ?? null,
    rules,
  };
}
