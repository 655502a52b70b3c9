import type { LabelSelector } from "./model.js";

type Labels = Record<string, string> | undefined;

/** metav1.LabelSelector semantics: every matchLabels pair and every expression must hold; {} selects all. */
export function selectorMatches(selector: LabelSelector, labels: Labels): boolean {
  const have = labels ?? {};
  for (const [key, value] of Object.entries(selector.matchLabels ?? {}))
    if (have[key] !== value) return false;
  for (const req of selector.matchExpressions ?? []) {
    const present = Object.hasOwn(have, req.key);
    const values = req.values ?? [];
    switch (req.operator) {
      case "In":
        if (!present || !values.includes(have[req.key] as string)) return false;
        break;
      case "NotIn":
        if (present && values.includes(have[req.key] as string)) return false;
        break;
      case "Exists":
        if (!present) return false;
        break;
      case "DoesNotExist":
        if (present) return false;
        break;
      default:
        // An operator the API server would have rejected selects nothing.
        return false;
    }
  }
  return true;
}

/** The `labelSelector` query form: "a=b,tier in (x,y),!c". */
export function selectorQuery(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const req of selector.matchExpressions ?? []) {
    const values = [...(req.values ?? [])].sort().join(",");
    if (req.operator === "In") parts.push(`${req.key} in (${values})`);
    else if (req.operator === "NotIn") parts.push(`${req.key} notin (${values})`);
    else if (req.operator === "Exists") parts.push(req.key);
    else parts.push(`!${req.key}`);
  }
  return parts.join(",");
}

/** How a pod's labels miss a Service selector by exactly one pair. */
export interface NearMiss {
  key: string;
  want: string;
  /** The pod's value for `key`, when it has the key with another value. */
  have?: string;
  /** A similar key on the pod that holds the wanted value (a key typo). */
  similarKey?: string;
}

/**
 * A pod is a near miss when it carries every pair of the selector but one: that one has another
 * value, is missing, or sits under a similar key. Undefined when it matches, or misses by more.
 */
export function nearMiss(selector: Record<string, string>, labels: Labels): NearMiss | undefined {
  const have = labels ?? {};
  const misses = Object.entries(selector).filter(([k, v]) => have[k] !== v);
  if (misses.length !== 1) return undefined;
  const [key, want] = misses[0] as [string, string];
  if (Object.hasOwn(have, key)) return { key, want, have: have[key] };
  const similarKey = Object.keys(have).find(
    (k) => !Object.hasOwn(selector, k) && similar(k, key) && have[k] === want,
  );
  return similarKey ? { key, want, similarKey } : { key, want };
}

export function describeNearMiss(miss: NearMiss): string {
  if (miss.have !== undefined)
    return `has ${miss.key}=${miss.have}, the selector wants ${miss.key}=${miss.want}`;
  if (miss.similarKey)
    return `has ${miss.similarKey}=${miss.want}, the selector wants ${miss.key}=${miss.want}`;
  return `lacks ${miss.key}=${miss.want}`;
}

/** Names a person could have typed for one another: same letters ignoring case and -_., or at most two edits apart. */
export function similar(a: string, b: string): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/[-_.]/g, "");
  if (norm(a) === norm(b)) return true;
  return editDistance(a, b) <= Math.min(2, Math.floor(Math.max(a.length, b.length) / 3));
}

export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
    }
    prev = row;
  }
  return prev[b.length] as number;
}
