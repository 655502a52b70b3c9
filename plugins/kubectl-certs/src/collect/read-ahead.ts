/**
 * Yields what `source` yields, asking for the next item as soon as the current one is handed
 * out, so that fetching the next page overlaps processing this one.
 */
export async function* readAhead<T>(source: AsyncIterator<T>): AsyncGenerator<T> {
  let next = source.next();
  let done = false;
  try {
    for (;;) {
      const result = await next;
      if (result.done) {
        done = true;
        return;
      }
      next = source.next();
      // A consumer that stops early never awaits the request already in flight; its failure
      // must not become an unhandled rejection.
      next.catch(() => undefined);
      yield result.value;
    }
  } finally {
    if (!done) source.return?.()?.catch(() => undefined);
  }
}
