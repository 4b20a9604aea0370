/**
 * A seeded pseudo-random generator, so the load generator's output is a pure
 * function of its seed: sfc32 (Chris Doty-Humphrey's Small Fast Counting
 * generator), seeded by expanding the seed with splitmix32.
 *
 * Not mulberry32, though it is smaller: mulberry32 has 32 bits of state, so
 * four consecutive outputs (a UUID's worth) are determined by one of only
 * 2^32 states, and among a few million generated eventIds two would collide
 * (birthday bound), silently deduplicating distinct events downstream.
 * sfc32 has 128 bits of state and a counter that guarantees a period of at
 * least 2^32 per state, so UUIDs drawn from it do not collide in practice.
 */

/** splitmix32 step: spreads a seed's bits over a 32-bit word. */
function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex32(word: number): string {
  return HEX[(word >>> 24) & 0xff]! + HEX[(word >>> 16) & 0xff]! + HEX[(word >>> 8) & 0xff]! + HEX[word & 0xff]!;
}

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** Any safe integer: both halves of a seed above 2^32 count. */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
    const low = seed >>> 0;
    const high = Math.floor(seed / 0x1_0000_0000) >>> 0;
    this.a = splitmix32(low);
    this.b = splitmix32(this.a ^ high);
    this.c = splitmix32(this.b);
    this.d = splitmix32(this.c ^ 0x5bd1e995);
    // Warm up: the first outputs of a counting generator still echo the seed.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 0x1_0000_0000;
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Uniform in [min, max). */
  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** `count` distinct items in random order (a partial Fisher-Yates shuffle). */
  sample<T>(items: readonly T[], count: number): T[] {
    const pool = [...items];
    const n = Math.min(count, pool.length);
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(this.next() * (pool.length - i));
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    return pool.slice(0, n);
  }

  /** Exponentially distributed with the given mean: the gaps of a Poisson arrival process. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** `bytes` random bytes as lower-case hex, for short ids. */
  hex(bytes: number): string {
    let out = '';
    while (out.length < bytes * 2) out += hex32(this.nextUint32());
    return out.slice(0, bytes * 2);
  }

  /** A version 4 UUID whose 122 random bits come from this generator. */
  uuid(): string {
    const w0 = this.nextUint32();
    const w1 = this.nextUint32();
    const w2 = this.nextUint32();
    const w3 = this.nextUint32();
    const version = ((w1 & 0xffff0fff) | 0x00004000) >>> 0; // time_hi_and_version: version 4
    const variant = ((w2 & 0x3fffffff) | 0x80000000) >>> 0; // clock_seq: RFC 4122 variant 10xx
    const h1 = hex32(version);
    const h2 = hex32(variant);
    return `${hex32(w0)}-${h1.slice(0, 4)}-${h1.slice(4)}-${h2.slice(0, 4)}-${h2.slice(4)}${hex32(w3)}`;
  }
}
