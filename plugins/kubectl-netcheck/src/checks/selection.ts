import { finding } from "@kubemend/lib/findings/catalogue";
import type { Finding } from "@kubemend/lib/findings/finding";
import type { CollectedService } from "../collect/service.js";
import { describeNearMiss, type NearMiss, selectorQuery } from "../labels.js";
import { serviceSubject } from "./service.js";

/** SELECTOR_NO_MATCH: the selector matches no pod; near misses say which label is off. */
export function checkSelector(c: CollectedService): Finding[] {
  const selector = c.service?.spec.selector ?? {};
  if (Object.keys(selector).length === 0 || c.pods.length > 0) return [];
  const query = selectorQuery({ matchLabels: selector });
  const misses = c.nearMisses.map(({ pod, miss }) => ({
    pod: pod.metadata.name,
    labels: pod.metadata.labels ?? {},
    difference: describeNearMiss(miss),
  }));
  const fix = commonFix(c.nearMisses.map((m) => m.miss));
  const summary =
    misses.length > 0
      ? `; ${misses.length} pod${misses.length === 1 ? "" : "s"} miss by one label (${[...new Set(misses.map((m) => m.difference))].join("; ")})`
      : "";
  return [
    finding("SELECTOR_NO_MATCH", {
      subject: serviceSubject(c),
      message: `selector ${query} matches no pod in namespace ${c.namespace}${summary}`,
      evidence: { selector, nearMisses: misses, nearMissSearch: c.nearMissSearch },
      next: fix
        ? `kubectl patch service ${c.name} -n ${c.namespace} --type merge -p '${JSON.stringify({ spec: { selector: fix } })}'`
        : `kubectl get pods -n ${c.namespace} --show-labels   # and compare with: ${query}`,
    }),
  ];
}

/** The selector patch that would match the near misses, when they all miss the same way. */
function commonFix(misses: readonly NearMiss[]): Record<string, string | null> | undefined {
  const first = misses[0];
  if (!first || misses.some((m) => JSON.stringify(m) !== JSON.stringify(first))) return undefined;
  if (first.have !== undefined) return { [first.key]: first.have };
  if (first.similarKey) return { [first.key]: null, [first.similarKey]: first.want };
  return undefined;
}
