/**
 * A min-heap of records by (event time, insertion order), so the generator
 * can emit many interleaved order lifecycles in one global event-time order
 * while holding only the lifecycles still in progress. Insertion order breaks
 * ties so the output is deterministic.
 */
interface Entry<T> {
  readonly time: number;
  readonly seq: number;
  readonly item: T;
}

function before<T>(a: Entry<T>, b: Entry<T>): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

export class EventQueue<T> {
  private readonly heap: Entry<T>[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(time: number, item: T): void {
    const heap = this.heap;
    heap.push({ time, seq: this.seq++, item });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  /** Time of the earliest entry, or undefined when empty. */
  peekTime(): number | undefined {
    return this.heap[0]?.time;
  }

  pop(): T | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined) return undefined;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
        if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
        i = smallest;
      }
    }
    return top.item;
  }

  /** Pops, in order, every entry at or before `time`. */
  *drainUntil(time: number): Generator<T> {
    while (this.heap.length > 0 && this.heap[0]!.time <= time) yield this.pop()!;
  }

  *drainAll(): Generator<T> {
    while (this.heap.length > 0) yield this.pop()!;
  }
}
