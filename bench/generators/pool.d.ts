/** Runs `fn` over `items` with at most `limit` calls in flight, keeping the order of results. */
export declare function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]>;
