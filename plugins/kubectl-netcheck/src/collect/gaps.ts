import { tolerantRead } from "@kubemend/lib/kube/tolerant-read";

/** What could not be read because RBAC forbids it; checks then say less instead of failing. */
export class Gaps {
  readonly forbidden: string[] = [];

  /** The call's result; `fallback` when it is forbidden (noted) or, with `missingOk`, not found. */
  async read<T>(what: string, call: () => Promise<T>, fallback: T, missingOk = false): Promise<T> {
    const value = await tolerantRead(call, { onForbidden: () => this.forbidden.push(what), missingOk });
    return value === undefined ? fallback : value;
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
