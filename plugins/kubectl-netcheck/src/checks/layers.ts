import { CATALOGUE, type CodeSpec } from "@kubemend/lib/findings/catalogue";
import { type Finding, severityRank, sortFindings } from "@kubemend/lib/findings/finding";

/**
 * The layers of the Debug Services guide (tasks/debug/debug-application/debug-service), in its
 * order. Which codes belong to each is the catalogue's `layer`. The verdict names the first one
 * that is broken.
 */
const GUIDE = [
  { layer: "service", title: "the Service object" },
  { layer: "dns", title: "cluster DNS" },
  { layer: "definition", title: "the Service's ports" },
  { layer: "selector", title: "the selector" },
  { layer: "endpoints", title: "pod readiness and endpoints" },
  { layer: "nodes", title: "the nodes" },
  { layer: "kube-proxy", title: "kube-proxy" },
  { layer: "network", title: "the pod network and the API server path" },
  { layer: "policy", title: "NetworkPolicy" },
  { layer: "probe", title: "the active probe" },
] as const;

export const LAYERS = GUIDE.map((g) => ({
  ...g,
  codes: Object.entries(CATALOGUE as Record<string, CodeSpec>)
    .filter(([, spec]) => spec.plugin === "netcheck" && spec.layer === g.layer)
    .map(([code]) => code),
}));

export type Layer = (typeof GUIDE)[number]["layer"];

export function layerTitle(layer: Layer): string {
  return LAYERS.find((l) => l.layer === layer)?.title ?? layer;
}

export function layerOf(code: string): Layer | undefined {
  return LAYERS.find((l) => l.codes.includes(code))?.layer;
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
