import { formatCustomer, money } from '../../../sinks/redis/lookup-format';

test('cents print as a two-decimal amount', () => {
  expect(money(0)).toBe('0.00');
  expect(money(5)).toBe('0.05');
  expect(money(123456, 'EUR')).toBe('1234.56 EUR');
  expect(money(-250)).toBe('-2.50');
});

test('a customer prints orders, counters with their units, and alerts, aligned', () => {
  const text = formatCustomer({
    customerId: 'c-1',
    orderCount: 12,
    recentOrders: [
      { orderId: 'o-2', placedAt: '2024-03-02T00:00:00.000Z', status: 'PLACED', paymentStatus: 'NONE', totalCents: 1999, currency: 'EUR' },
      { orderId: 'o-1', placedAt: '2024-03-01T00:00:00.000Z', status: null, paymentStatus: null, totalCents: null, currency: null },
    ],
    counters: {
      customerId: 'c-1',
      version: 4,
      updatedAt: '2024-03-02T00:00:00.000Z',
      lastEventId: null,
      rules: [
        { rule: 'order-amount', value: 250000, windowStart: '2024-03-01T00:00:00.000Z', windowEnd: '2024-03-02T00:00:00.000Z' },
        { rule: 'order-count', value: 3, windowStart: '2024-03-01T23:00:00.000Z', windowEnd: '2024-03-02T00:00:00.000Z' },
      ],
    },
    alerts: [],
  });
  expect(text.split('\n')).toEqual([
    'customer c-1',
    'orders (12, newest 2 shown)',
    '  o-2  2024-03-02T00:00:00.000Z  PLACED     NONE  19.99 EUR',
    '  o-1  2024-03-01T00:00:00.000Z  (deleted)',
    'fraud counters (version 4, updated 2024-03-02T00:00:00.000Z)',
    '  order-amount  2500.00 (amount)  2024-03-01T00:00:00.000Z – 2024-03-02T00:00:00.000Z',
    '  order-count   3 orders          2024-03-01T23:00:00.000Z – 2024-03-02T00:00:00.000Z',
    'recent alerts: none',
  ]);
});
