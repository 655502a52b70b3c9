import { isForbidden, isNotFound } from "@kubemend/lib/kube/errors";

/** What could not be read because RBAC forbids it; checks then say less instead of failing. */
export class Gaps {
  readonly forbidden: string[] = [];

  /** The call's result; `fallback` when it is forbidden (noted) or, with `missingOk`, not found. */
  async read<T>(what: string, call: () => Promise<T>, fallback: T, missingOk = false): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (isForbidden(err)) {
        this.forbidden.push(what);
        return fallback;
      }
      if (missingOk && isNotFound(err)) return fallback;
      throw err;
    }
  }
}

/** Drains a paged list, stopping after `max` items when given (the generator stops paging). */
export async function collectList<T>(items: AsyncIterable<T>, max = Number.POSITIVE_INFINITY): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) {
    if (out.length >= max) break;
    out.push(item);
  }
  return out;
}
