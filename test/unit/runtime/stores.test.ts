import { InMemoryKeyValueStore } from '../../../processors/runtime/stores/key-value-store';
import { InMemoryWindowStore, parseWindowKey, windowKey } from '../../../processors/runtime/stores/window-store';

describe('key-value store', () => {
  test('writes are visible at once, staged on accept, permanent on commit', () => {
    const store = new InMemoryKeyValueStore<number>('s');
    store.put('a', 1);
    expect(store.get('a')).toBe(1);
    expect(store.recordChanges()).toEqual([{ key: 'a', value: 1 }]);
    store.acceptRecord();
    expect(store.recordChanges()).toEqual([]);
    store.seal();
    store.commit();
    expect(store.get('a')).toBe(1);
    expect(store.size()).toBe(1);
  });

  test('a discarded record leaves no trace; a rollback drops everything uncommitted', () => {
    const store = new InMemoryKeyValueStore<number>('s');
    store.put('a', 1);
    store.acceptRecord();
    store.seal();
    store.commit();

    store.put('a', 2);
    store.put('b', 3);
    store.discardRecord();
    expect(store.get('a')).toBe(1);
    expect(store.get('b')).toBeUndefined();

    store.put('a', 4);
    store.delete('a');
    store.put('c', 5);
    store.acceptRecord();
    expect(store.get('a')).toBeUndefined();
    expect(store.size()).toBe(1);
    store.rollback();
    expect(store.get('a')).toBe(1);
    expect(store.get('c')).toBeUndefined();
    expect([...store.entries()]).toEqual([['a', 1]]);
  });

  test('a sealed transaction commits on its own while later writes stay staged', () => {
    const store = new InMemoryKeyValueStore<number>('s');
    store.put('a', 1);
    store.put('b', 2);
    store.acceptRecord();
    store.seal();
    // processing goes on while the sealed transaction commits
    store.put('a', 3);
    store.delete('b');
    store.acceptRecord();
    expect(store.get('a')).toBe(3);
    expect(store.get('b')).toBeUndefined();
    expect(() => store.seal()).toThrow(/still open/);
    store.commit();
    expect(store.get('a')).toBe(3);
    expect(store.size()).toBe(1);
    // the later writes were not committed with it: a rollback returns to the sealed ones
    store.rollback();
    expect([...store.entries()].sort()).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
  });

  test('a rollback while a transaction is sealed drops it and everything after it', () => {
    const store = new InMemoryKeyValueStore<number>('s');
    store.restore('a', 0);
    store.put('a', 1);
    store.acceptRecord();
    store.seal();
    store.put('c', 2);
    store.acceptRecord();
    expect(store.size()).toBe(2);
    store.rollback();
    expect([...store.entries()]).toEqual([['a', 0]]);
    store.put('a', 5);
    store.acceptRecord();
    store.seal(); // nothing sealed is left over
    store.commit();
    expect(store.get('a')).toBe(5);
  });

  test('a delete becomes a tombstone change and restore applies changelog records', () => {
    const store = new InMemoryKeyValueStore<string>('s');
    store.restore('x', 'one');
    store.restore('y', 'two');
    store.restore('x', null);
    expect([...store.entries()]).toEqual([['y', 'two']]);
    store.delete('y');
    expect(store.recordChanges()).toEqual([{ key: 'y', value: null }]);
  });

  test('holds a million keys', () => {
    const store = new InMemoryKeyValueStore<{ v: number }>('big');
    for (let i = 0; i < 1_000_000; i += 1) store.restore(`key-${i}`, { v: i });
    expect(store.size()).toBe(1_000_000);
    expect(store.get('key-999999')).toEqual({ v: 999_999 });
  });
});

describe('window store', () => {
  test('composite changelog keys round-trip, keys may contain the separator', () => {
    expect(parseWindowKey(windowKey('c:1', 3600))).toEqual({ key: 'c:1', start: 3600 });
    expect(() => parseWindowKey('nope')).toThrow(/not a window store key/);
  });

  test('fetch returns a key window range, oldest first', () => {
    const store = new InMemoryWindowStore<number>('w', 1000);
    store.put('c1', 200, 2);
    store.put('c1', 100, 1);
    store.put('c2', 100, 9);
    store.put('c1', 300, 3);
    expect(store.fetch('c1', 100, 200)).toEqual([
      { start: 100, value: 1 },
      { start: 200, value: 2 },
    ]);
  });

  test('stream time purges windows older than retention, with tombstones for the changelog', () => {
    const store = new InMemoryWindowStore<number>('w', 100);
    store.put('c1', 0, 1);
    store.put('c1', 50, 2);
    store.acceptRecord();
    store.seal();
    store.commit();
    store.observe(120); // cutoff 20: the window starting at 0 goes
    expect(store.streamTime()).toBe(120);
    expect(store.fetch('c1', 0, 1000)).toEqual([{ start: 50, value: 2 }]);
    expect(store.recordChanges()).toEqual([{ key: windowKey('c1', 0), value: null }]);
    store.observe(100); // time never goes back
    expect(store.streamTime()).toBe(120);
  });

  test('a discarded record restores the index', () => {
    const store = new InMemoryWindowStore<number>('w', 1000);
    store.put('c1', 0, 1);
    store.acceptRecord();
    store.put('c1', 10, 2);
    store.discardRecord();
    expect(store.fetch('c1', 0, 100)).toEqual([{ start: 0, value: 1 }]);
  });

  test('restore rebuilds windows and a lower bound of stream time', () => {
    const store = new InMemoryWindowStore<number>('w', 1000);
    store.restore(windowKey('c1', 500), 5);
    store.restore(windowKey('c1', 700), 7);
    store.restore(windowKey('c1', 500), null);
    expect(store.fetch('c1', 0, 1000)).toEqual([{ start: 700, value: 7 }]);
    expect(store.streamTime()).toBe(700);
  });
});
