/**
 * A seeded pseudo-random source (mulberry32), so that every generator builds the same workload
 * from the same seed. Not for anything secret: Math.random cannot be seeded, node:crypto cannot
 * be replayed.
 */
export declare class Random {
  private readonly seed;
  private state;
  constructor(seed: number | string);
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** An index in [0, count) that favours low indexes, as namespaces and services are uneven in size. */
  skewed(count: number): number;
  bytes(length: number): Buffer;
  /** Lower-case letters and digits, as in the random suffixes of generated names. */
  alphanumeric(length: number): string;
  /**
   * An independent stream for one part of a workload, derived from the seed alone: what one part
   * draws leaves the others unchanged.
   */
  fork(label: string): Random;
}
