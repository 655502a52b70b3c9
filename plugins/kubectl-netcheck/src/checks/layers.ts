import { type Finding, severityRank, sortFindings } from "@kubemend/lib/findings/finding";

/**
 * The layers of the Debug Services guide (tasks/debug/debug-application/debug-service), in its
 * order, with the codes that belong to each. The verdict names the first one that is broken.
 */
export const LAYERS = [
  {
    layer: "service",
    title: "the Service object",
    codes: ["SVC_NOT_FOUND", "SVC_EXTERNALNAME", "SVC_HEADLESS", "SVC_NO_SELECTOR"],
  },
  { layer: "dns", title: "cluster DNS", codes: ["DNS_UNHEALTHY"] },
  { layer: "definition", title: "the Service's ports", codes: ["TARGETPORT_MISSING"] },
  { layer: "selector", title: "the selector", codes: ["SELECTOR_NO_MATCH"] },
  {
    layer: "endpoints",
    title: "pod readiness and endpoints",
    codes: ["PODS_NOT_READY", "ENDPOINTS_EMPTY", "ENDPOINTS_NOT_READY"],
  },
  { layer: "nodes", title: "the nodes", codes: ["NODE_NOT_READY"] },
  { layer: "kube-proxy", title: "kube-proxy", codes: ["KUBE_PROXY_UNHEALTHY"] },
  {
    layer: "network",
    title: "the pod network and the API server path",
    codes: ["CNI_UNHEALTHY", "APISERVER_SVC_MISMATCH"],
  },
  { layer: "policy", title: "NetworkPolicy", codes: ["NETPOL_BLOCKS", "NETPOL_SELECTS"] },
  { layer: "probe", title: "the active probe", codes: ["PROBE_FAILED", "PROBE_INCOMPLETE", "PROBE_SKIPPED"] },
] as const;

export type Layer = (typeof LAYERS)[number]["layer"];

export function layerTitle(layer: Layer): string {
  return LAYERS.find((l) => l.layer === layer)?.title ?? layer;
}

export function layerOf(code: string): Layer | undefined {
  return LAYERS.find((l) => (l.codes as readonly string[]).includes(code))?.layer;
}

export interface Verdict {
  status: "ok" | "degraded" | "broken";
  layer?: Layer;
  code?: string;
  message: string;
}

/**
 * The first layer, in the guide's order, with a warning or critical finding: broken when its worst
 * finding is critical, degraded when it is a warning. Info findings never break a layer.
 */
export function verdictOf(findings: readonly Finding[], okMessage: string): Verdict {
  for (const { layer } of LAYERS) {
    const here = sortFindings(
      findings.filter(
        (f) => layerOf(f.code) === layer && severityRank(f.severity) >= severityRank("warning"),
      ),
    );
    const first = here[0];
    if (first)
      return {
        status: first.severity === "critical" ? "broken" : "degraded",
        layer,
        code: first.code,
        message: first.message,
      };
  }
  return { status: "ok", message: okMessage };
}

/** Findings in layer order, the most severe first within a layer. */
export function byLayer(findings: readonly Finding[]): Finding[] {
  const rank = (f: Finding) => {
    const i = LAYERS.findIndex((l) => l.layer === layerOf(f.code));
    return i === -1 ? LAYERS.length : i;
  };
  return sortFindings(findings).sort((a, b) => rank(a) - rank(b));
}
