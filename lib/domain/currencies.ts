/**
 * The ISO 4217 currencies the pipeline accepts, declared once: the load
 * generator prices orders in them and the stateless validator refuses any
 * other code.
 *
 * Every code listed has two decimal minor units, so "cents" (the unit of every
 * amount field) is exact for all of them. A zero-decimal currency such as JPY,
 * or a three-decimal one such as KWD, needs a minor-unit table before it can
 * be added here.
 */
export const CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'SEK', 'DKK', 'NOK', 'PLN', 'CAD', 'AUD'] as const;

export type Currency = (typeof CURRENCIES)[number];

const KNOWN: ReadonlySet<string> = new Set(CURRENCIES);

/** Case-sensitive on purpose: ISO 4217 codes are upper case, and `eur` in an event is a producer bug. */
export function isKnownCurrency(code: string): code is Currency {
  return KNOWN.has(code);
}
