import { DEFAULT_LOADGEN_OPTIONS, LoadgenOptionsError, LoadgenOverrides, resolveLoadgenOptions } from '../../../producers/loadgen/options';

describe('loadgen options', () => {
  it('defaults to valid options', () => {
    expect(resolveLoadgenOptions()).toEqual(DEFAULT_LOADGEN_OPTIONS);
  });

  it('overlays overrides at any depth', () => {
    const options = resolveLoadgenOptions({ seed: 9, rates: { decline: 0.5 }, fraud: { orderBurst: { orders: 12 } } });
    expect(options.seed).toBe(9);
    expect(options.rates).toEqual({ ...DEFAULT_LOADGEN_OPTIONS.rates, decline: 0.5 });
    expect(options.fraud.orderBurst).toEqual({ ...DEFAULT_LOADGEN_OPTIONS.fraud.orderBurst, orders: 12 });
    expect(options.fraud.manyCards).toEqual(DEFAULT_LOADGEN_OPTIONS.fraud.manyCards);
  });

  it('accepts an endless stream', () => {
    expect(resolveLoadgenOptions({ orders: Infinity }).orders).toBe(Infinity);
  });

  it.each<[string, LoadgenOverrides]>([
    ['seed', { seed: 1.5 }],
    ['customers', { customers: 0 }],
    ['orders', { orders: -1 }],
    ['startTime', { startTime: new Date('nope') }],
    ['meanOrderIntervalMs', { meanOrderIntervalMs: 0 }],
    ['lifecycleTimeScale', { lifecycleTimeScale: -1 }],
    ['rates.decline', { rates: { decline: 1.5 } }],
    ['fraud.orderBurst.rate', { fraud: { orderBurst: { rate: -0.1 } } }],
    ['fraud.manyCards.cancelRate', { fraud: { manyCards: { cancelRate: 2 } } }],
    ['fraud.*.rate', { fraud: { orderBurst: { rate: 0.6 }, largeAmount: { rate: 0.6 } } }],
    ['fraud.orderBurst.orders', { fraud: { orderBurst: { orders: 1 } } }],
    ['fraud.manyCards.cards', { fraud: { manyCards: { cards: 1 } } }],
    ['fraud.largeAmount.minCents', { fraud: { largeAmount: { minCents: 0 } } }],
    ['fraud.repeatedDeclines.windowMs', { fraud: { repeatedDeclines: { declines: 5, windowMs: 3 } } }],
  ])('names %s when it is invalid', (name, overrides) => {
    expect(() => resolveLoadgenOptions(overrides)).toThrow(LoadgenOptionsError);
    expect(() => resolveLoadgenOptions(overrides)).toThrow(`loadgen option ${name} must be`);
  });
});
