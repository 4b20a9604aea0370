import { jsonStoreCodec } from '../../../lib/streaming/codec';

const parked = {
  event: { type: 'PaymentAuthorized', value: { envelope: { occurredAt: new Date(1_700_000_000_123), aggregateVersion: 3 }, amountCents: 1250, note: null } },
  source: {
    topic: 'payments.events',
    partition: 2,
    offset: '41',
    key: Buffer.from('order-1'),
    value: Buffer.from([0, 0, 0, 0, 7, 255]),
    headers: { 'event-type': 'PaymentAuthorized' },
  },
};

test('Dates and Buffers come back as Dates and Buffers, however deep, in arrays too', () => {
  const codec = jsonStoreCodec<Array<typeof parked>>();
  const decoded = codec.decode(codec.encode([parked, parked]) as Buffer);
  expect(decoded).toEqual([parked, parked]);
  const [first] = decoded as Array<typeof parked>;
  expect(first!.event.value.envelope.occurredAt).toBeInstanceOf(Date);
  expect(Buffer.isBuffer(first!.source.value)).toBe(true);
});

test('the bytes are the tagged JSON changelogs already hold, so stores written before restore unchanged', () => {
  const codec = jsonStoreCodec<unknown>();
  const bytes = codec.encode({ at: new Date(5), raw: Buffer.from('hi'), list: [1, 'a', null], skipped: undefined }) as Buffer;
  expect(bytes.toString('utf8')).toBe('{"at":{"$date":5},"raw":{"$bytes":"aGk="},"list":[1,"a",null]}');
  expect(codec.decode(Buffer.from('{"n":7,"s":"x"}'))).toEqual({ n: 7, s: 'x' });
});
