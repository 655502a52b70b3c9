import { isForbidden, isNotFound, type KubeApiError } from "./errors.js";

export interface TolerantReadOptions {
  /** Told of each 403, to report what RBAC kept from the caller. */
  onForbidden?: (err: KubeApiError) => void;
  /** A 404 is undefined too (default); false makes it throw like any other failure. */
  missingOk?: boolean;
}

/**
 * A read whose refusal or absence only means "not known here": its result, or undefined when RBAC
 * forbids it or the object or API does not exist. Any other failure (unreachable, 500) throws.
 */
export async function tolerantRead<T>(
  call: () => Promise<T>,
  { onForbidden, missingOk = true }: TolerantReadOptions = {},
): Promise<T | undefined> {
  try {
    return await call();
  } catch (err) {
    if (isForbidden(err)) {
      onForbidden?.(err as KubeApiError);
      return undefined;
    }
    if (missingOk && isNotFound(err)) return undefined;
    throw err;
  }
}
