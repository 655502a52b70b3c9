/**
 * A seeded pseudo-random source (mulberry32), so that every generator builds the same workload
 * from the same seed. Not for anything secret: Math.random cannot be seeded, node:crypto cannot
 * be replayed.
 */
export class Random {
  private readonly seed: number;
  private state: number;

  constructor(seed: number | string) {
    this.seed = typeof seed === "number" ? seed >>> 0 : hashString(seed);
    this.state = this.seed;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("pick from an empty list");
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** An index in [0, count) that favours low indexes, as namespaces and services are uneven in size. */
  skewed(count: number): number {
    return Math.floor(count * this.next() ** 2);
  }

  bytes(length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    for (let i = 0; i < length; i += 4) {
      const word = (this.next() * 4294967296) >>> 0;
      for (let j = 0; j < 4 && i + j < length; j++) out[i + j] = (word >>> (8 * j)) & 0xff;
    }
    return out;
  }

  /** Lower-case letters and digits, as in the random suffixes of generated names. */
  alphanumeric(length: number): string {
    const alphabet = "bcdfghjklmnpqrstvwxz2456789";
    let out = "";
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }

  /**
   * An independent stream for one part of a workload, derived from the seed alone: what one part
   * draws leaves the others unchanged.
   */
  fork(label: string): Random {
    return new Random(hashString(`${this.seed}:${label}`));
  }
}

/** FNV-1a, 32 bits. */
function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
