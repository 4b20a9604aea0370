/**
 * Generated customers: the CustomerProfile published on the customers topic,
 * plus what the generator needs to make their orders (country, cards).
 */
import type { CustomerProfile } from '../../schemas/generated/types';
import { COUNTRIES, Country, FIRST_NAMES, LAST_NAMES, PRODUCERS, SEGMENTS } from './catalog';
import type { Random } from './random';

export interface Card {
  readonly paymentMethodId: string;
  readonly cardFingerprint: string;
  /** Issuing country. */
  readonly country: string;
}

export interface Customer {
  readonly profile: CustomerProfile;
  readonly country: Country;
  /** The cards this customer normally pays with. */
  readonly cards: readonly Card[];
}

const DAY_MS = 86_400_000;

export function newCard(random: Random, country: string): Card {
  return { paymentMethodId: `pm_${random.hex(8)}`, cardFingerprint: `fp_${random.hex(8)}`, country };
}

function pickSegment(random: Random): string {
  let u = random.next();
  for (const segment of SEGMENTS) {
    if (u < segment.weight) return segment.name;
    u -= segment.weight;
  }
  return SEGMENTS[0]!.name;
}

function emailLocalPart(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/**
 * `runTag` goes into the customer id so that two runs with different seeds
 * published to the same topic do not overwrite each other's customers.
 */
export function generateCustomer(random: Random, index: number, runTag: string, atMs: number): Customer {
  const customerId = `cust-${runTag}-${String(index + 1).padStart(6, '0')}`;
  const country = random.pick(COUNTRIES);
  const first = random.pick(FIRST_NAMES);
  const last = random.pick(LAST_NAMES);
  const cards = Array.from({ length: random.int(1, 2) }, () => newCard(random, country.code));
  const profile: CustomerProfile = {
    envelope: {
      eventId: random.uuid(),
      aggregateId: customerId,
      aggregateVersion: 1,
      occurredAt: new Date(atMs),
      correlationId: random.uuid(),
      causationId: null,
      producer: PRODUCERS.accounts,
    },
    customerId,
    name: `${first} ${last}`,
    email: `${emailLocalPart(first)}.${emailLocalPart(last)}.${index + 1}@example.com`,
    country: country.code,
    segment: pickSegment(random),
    createdAt: new Date(atMs - Math.round(random.between(DAY_MS, 3 * 365 * DAY_MS))),
    updatedAt: new Date(atMs),
  };
  return { profile, country, cards };
}
